package dev.sdqueue.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Where a transiently failed attempt goes next, mirroring SmallRye's delayed-retry topic rules. */
class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(List.of("req_retry_10000", "req_retry_60000",
            "req_retry_300000"), 3, Duration.ofHours(1));

    @Test
    void eachRetryTakesTheNextTopicAndTheLastAttemptGivesUp() {
        assertThat(policy.afterFailure(1, NOW, NOW, null))
                .isEqualTo(new RetryPolicy.Retry("req_retry_10000", Duration.ofSeconds(10)));
        assertThat(policy.afterFailure(2, NOW, NOW, null))
                .isEqualTo(new RetryPolicy.Retry("req_retry_60000", Duration.ofSeconds(60)));
        assertThat(policy.afterFailure(3, NOW, NOW, null))
                .isEqualTo(new RetryPolicy.Retry("req_retry_300000", Duration.ofSeconds(300)));
        assertThat(policy.afterFailure(4, NOW, NOW, null)).isInstanceOf(RetryPolicy.GiveUp.class);
        assertThat(policy.maxAttempts()).isEqualTo(4);
    }

    @Test
    void moreRetriesThanTopicsReuseTheLastTopic() {
        RetryPolicy five = new RetryPolicy(List.of("t_retry_1000", "t_retry_2000"), 4, Duration.ofHours(1));

        assertThat(five.afterFailure(4, NOW, NOW, null)).isEqualTo(new RetryPolicy.Retry("t_retry_2000",
                Duration.ofSeconds(2)));
        assertThat(five.afterFailure(5, NOW, NOW, null)).isInstanceOf(RetryPolicy.GiveUp.class);
    }

    @Test
    void aRetryThatWouldStartAfterTheTimeoutGivesUp() {
        Instant first = NOW.minus(Duration.ofMinutes(59).plusSeconds(55));

        assertThat(policy.afterFailure(2, first, NOW, null)).isInstanceOf(RetryPolicy.GiveUp.class);
        assertThat(policy.afterFailure(1, NOW.minusSeconds(60), NOW, null)).isInstanceOf(RetryPolicy.Retry.class);
    }

    @Test
    void aRetryThatWouldStartAfterTheDeadlineExpires() {
        assertThat(policy.afterFailure(1, NOW, NOW, NOW.plusSeconds(5))).isInstanceOf(RetryPolicy.Expire.class);
        assertThat(policy.afterFailure(1, NOW, NOW, NOW.plusSeconds(11))).isInstanceOf(RetryPolicy.Retry.class);
    }

    @Test
    void theAttemptComesFromSmallRyesRetryCountAndStaleRetryHeadersAreForgotten() {
        RecordHeaders headers = new RecordHeaders();
        assertThat(RetryPolicy.attemptOf(headers)).isEqualTo(1);
        headers.add("delayed-retry-count", "2".getBytes(StandardCharsets.UTF_8));
        headers.add("delayed-retry-first-processing-timestamp", "1000".getBytes(StandardCharsets.UTF_8));
        headers.add("traceparent", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(RetryPolicy.attemptOf(headers)).isEqualTo(3);
        assertThat(RetryPolicy.firstProcessing(headers, NOW)).isEqualTo(Instant.ofEpochMilli(1000));

        RetryPolicy.forgetRetries(headers);

        assertThat(RetryPolicy.attemptOf(headers)).isEqualTo(1);
        assertThat(RetryPolicy.firstProcessing(headers, NOW)).isEqualTo(NOW);
        assertThat(headers.lastHeader("traceparent")).isNotNull();
    }

    @Test
    void retryTopicsMustNameTheirDelay() {
        assertThat(RetryPolicy.delayOf("sdq.generation.requests_retry_300000")).isEqualTo(300_000L);
        assertThatThrownBy(() -> new RetryPolicy(List.of("sdq.retry"), 1, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("_<delay ms>");
    }
}
