package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RetryHeadersTest {

    @Test
    void theAttemptComesFromSmallRyesRetryCountAndStaleRetryHeadersAreForgotten() {
        RecordHeaders headers = new RecordHeaders();
        assertThat(RetryHeaders.attemptOf(headers)).isEqualTo(1);
        assertThat(RetryHeaders.firstFailure(headers)).isNull();
        headers.add("delayed-retry-count", "2".getBytes(StandardCharsets.UTF_8));
        headers.add("delayed-retry-first-processing-timestamp", "1000".getBytes(StandardCharsets.UTF_8));
        headers.add("traceparent", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(RetryHeaders.attemptOf(headers)).isEqualTo(3);
        assertThat(RetryHeaders.firstFailure(headers)).isEqualTo(Instant.ofEpochMilli(1000));

        RetryHeaders.forget(headers);

        assertThat(RetryHeaders.attemptOf(headers)).isEqualTo(1);
        assertThat(RetryHeaders.firstFailure(headers)).isNull();
        assertThat(headers.lastHeader("traceparent")).isNotNull();
    }

    @Test
    void unreadableValuesCountAsAbsent() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("delayed-retry-count", "two".getBytes(StandardCharsets.UTF_8));
        headers.add("delayed-retry-first-processing-timestamp", "soon".getBytes(StandardCharsets.UTF_8));

        assertThat(RetryHeaders.attemptOf(headers)).isEqualTo(1);
        assertThat(RetryHeaders.firstFailure(headers)).isNull();
    }
}
