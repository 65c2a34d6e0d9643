package dev.sdqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.local.ContractTopics;
import dev.sdqueue.schema.RetryDelays;
import dev.sdqueue.worker.routing.RetrySchedule;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The retries are declared once ({@code sdq.retry.*}): the channel's SmallRye keys, the decision table's schedule and
 * the topics the local stack creates all follow from it.
 */
class RetryChannelConfigTest {
    private static final String PREFIX = "mp.messaging.incoming.generation-requests.delayed-retry-topic.";

    private static SmallRyeConfig config(Map<String, String> properties) {
        // Quarkus registers this converter for Duration; plain SmallRye would read ISO-8601 only.
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 400))
                .withSources(new RetryChannelConfig()).withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(WorkerConfig.Retry.class).build();
    }

    private static RetrySchedule schedule(SmallRyeConfig config) {
        WorkerConfig.Retry retry = config.getConfigMapping(WorkerConfig.Retry.class);
        return RetrySchedule.of(retry.delays(), retry.timeout());
    }

    @Test
    void theDefaultsGiveTheTopicsTheLocalStackCreatesAndTheSameScheduleToTheTable() {
        SmallRyeConfig config = config(Map.of());
        RetrySchedule schedule = schedule(config);

        assertThat(schedule.delays()).as("the default string reads as the default delays")
                .isEqualTo(RetryDelays.DEFAULT_DELAYS);
        List<String> created = ContractTopics.RETRY_DELAYS_MS.stream().map(ContractTopics::retry).toList();
        assertThat(schedule.topics()).containsExactlyElementsOf(created)
                .containsExactly("sdq.generation.requests_retry_10000", "sdq.generation.requests_retry_60000",
                        "sdq.generation.requests_retry_300000");
        assertThat(config.getValue(PREFIX + "topics", String.class)).isEqualTo(String.join(",", created));
        assertThat(config.getValue(PREFIX + "max-retries", Integer.class)).isEqualTo(schedule.maxRetries()).isEqualTo(3);
        assertThat(config.getValue(PREFIX + "timeout", Long.class)).isEqualTo(schedule.timeout().toMillis())
                .isEqualTo(3_600_000L);
    }

    @Test
    void oneSettingChangesTheChannelAndTheTableTogether() {
        SmallRyeConfig config = config(Map.of("sdq.retry.delays", "500ms,2s,1m,PT5M", "sdq.retry.timeout", "20m"));
        RetrySchedule schedule = schedule(config);

        assertThat(schedule.delays()).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(2),
                Duration.ofMinutes(1), Duration.ofMinutes(5));
        assertThat(config.getValue(PREFIX + "topics", String.class)).isEqualTo(String.join(",", schedule.topics()))
                .isEqualTo("sdq.generation.requests_retry_500,sdq.generation.requests_retry_2000,"
                        + "sdq.generation.requests_retry_60000,sdq.generation.requests_retry_300000");
        assertThat(config.getValue(PREFIX + "max-retries", Integer.class)).isEqualTo(4);
        assertThat(config.getValue(PREFIX + "timeout", Long.class)).isEqualTo(1_200_000L);
    }

    @Test
    void smallRyesOwnKeysCannotMakeTheChannelDisagreeWithTheTable() {
        SmallRyeConfig config = config(Map.of(PREFIX + "topics", "sdq.generation.requests_retry_7", "sdq.retry.delays",
                "3s"));

        assertThat(config.getValue(PREFIX + "topics", String.class)).isEqualTo("sdq.generation.requests_retry_3000");
        assertThat(schedule(config).topics()).containsExactly("sdq.generation.requests_retry_3000");
    }
}
