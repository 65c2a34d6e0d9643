package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.Topics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitioningRulesTest {
    private static final String RETRY = Topics.REQUESTS + "_retry_10000";

    @Test
    void coPartitionedTopicsPass() {
        assertThat(PartitioningRules.violations(Map.of(Topics.REQUESTS, 6, Topics.EVENTS, 6, RETRY, 6),
                List.of(RETRY))).isEmpty();
        assertThat(PartitioningRules.violations(Map.of(Topics.REQUESTS, 6, Topics.EVENTS, 6, RETRY, 8),
                List.of(RETRY))).as("more retry partitions are harmless").isEmpty();
    }

    @Test
    void eventsWithAnotherCountThanRequestsAreNamed() {
        assertThat(PartitioningRules.violations(Map.of(Topics.REQUESTS, 6, Topics.EVENTS, 3, RETRY, 6),
                List.of(RETRY))).singleElement().asString()
                .contains(Topics.EVENTS + " has 3 partitions", Topics.REQUESTS + " has 6", "co-partitioned");
    }

    @Test
    void aRetryTopicWithFewerPartitionsIsNamedWithTheUnretriablePartitions() {
        assertThat(PartitioningRules.violations(Map.of(Topics.REQUESTS, 6, Topics.EVENTS, 6, RETRY, 4),
                List.of(RETRY))).singleElement().asString()
                .contains(RETRY + " has 4 partitions", "partitions 4..5", "add partitions");
    }
}
