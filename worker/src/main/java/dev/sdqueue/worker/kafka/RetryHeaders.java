package dev.sdqueue.worker.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * SmallRye's delayed-retry headers ({@code KafkaDelayedRetryTopic}) on a request record: the retries so far and when
 * the first attempt failed. Read only on records of the retry topics: a record read from the request topic itself
 * is a first delivery, whatever a replaying tool copied onto it.
 */
final class RetryHeaders {
    static final String RETRY_COUNT = "delayed-retry-count";
    static final String FIRST_PROCESSING = "delayed-retry-first-processing-timestamp";
    static final String PREFIX = "delayed-retry-";

    private RetryHeaders() {
    }

    /** 1 + the retries so far (absent or unreadable: 1). */
    static int attemptOf(Headers headers) {
        Header count = headers.lastHeader(RETRY_COUNT);
        if (count == null || count.value() == null) {
            return 1;
        }
        try {
            return 1 + Math.max(0, Integer.parseInt(new String(count.value(), StandardCharsets.UTF_8).trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** When the first attempt failed, or null if the header is absent or unreadable. */
    static Instant firstFailure(Headers headers) {
        Header first = headers.lastHeader(FIRST_PROCESSING);
        if (first == null || first.value() == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(new String(first.value(), StandardCharsets.UTF_8).trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Removes them, so that a replayed record does not start with a spent retry budget. */
    static void forget(Headers headers) {
        for (Header header : headers.toArray()) {
            if (header.key().startsWith(PREFIX)) {
                headers.remove(header.key());
            }
        }
    }
}
