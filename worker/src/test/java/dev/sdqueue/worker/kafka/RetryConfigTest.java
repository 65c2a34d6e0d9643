package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.worker.routing.RetrySchedule;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** In the running worker, the request channel reads the retry topics the decision table routes to. */
@QuarkusTest
@WithTestResource(value = WorkerStackResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RetryConfigTest {
    @Inject
    RetrySchedule schedule;
    @Inject
    Config config;

    @Test
    void theChannelAndTheDecisionTableUseTheTopicsTheStackCreated() {
        String prefix = "mp.messaging.incoming." + GenerationRequestConsumer.CHANNEL + ".delayed-retry-topic.";

        assertThat(schedule.topics()).containsExactlyElementsOf(WorkerStackResource.RETRY_TOPICS);
        assertThat(config.getValue(prefix + "topics", String.class)).isEqualTo(String.join(",", schedule.topics()));
        assertThat(config.getValue(prefix + "max-retries", Integer.class)).isEqualTo(schedule.maxRetries());
    }
}
