package dev.sdqueue.dispatcher.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.Topics;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoPartitioningTest {
    @Test
    void sameCountIsCoPartitioned() {
        assertThat(CoPartitioning.judge(Map.of(Topics.REQUESTS, 6, Topics.EVENTS, 6)))
                .isEqualTo(new CoPartitioning.CoPartitioned(6));
    }

    @Test
    void differentCountsNameBothTopicsTheirCountsAndTheFix() {
        CoPartitioning.Verdict verdict = CoPartitioning.judge(Map.of(Topics.REQUESTS, 3, Topics.EVENTS, 6));
        assertThat(verdict).isInstanceOf(CoPartitioning.Mismatch.class);
        String message = ((CoPartitioning.Mismatch) verdict).message();
        assertThat(message).contains(Topics.REQUESTS + " has 3 partition(s)", Topics.EVENTS + " has 6",
                "--alter --topic " + Topics.REQUESTS + " --partitions 6");
        String other = ((CoPartitioning.Mismatch) CoPartitioning.judge(Map.of(Topics.REQUESTS, 4, Topics.EVENTS, 2)))
                .message();
        assertThat(other).contains("--alter --topic " + Topics.EVENTS + " --partitions 4");
    }

    @Test
    void missingTopicsAreNamed() {
        assertThat(CoPartitioning.judge(Map.of(Topics.EVENTS, 3)))
                .isEqualTo(new CoPartitioning.Missing(java.util.List.of(Topics.REQUESTS)));
        assertThat(CoPartitioning.judge(Map.of()))
                .isEqualTo(new CoPartitioning.Missing(java.util.List.of(Topics.REQUESTS, Topics.EVENTS)));
    }
}
