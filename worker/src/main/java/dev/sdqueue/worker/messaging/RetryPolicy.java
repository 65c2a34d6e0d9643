package dev.sdqueue.worker.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.Config;

/**
 * Where a transiently failed record goes next. Read from the same connector keys SmallRye's
 * {@code delayed-retry-topic} failure strategy uses ({@code delayed-retry-topic.topics}, {@code .max-retries},
 * {@code .timeout} of the channel), so the topics SmallRye's retry consumer subscribes to and the topics the worker
 * routes to are one list. The worker decides and names the topic on every nack (SmallRye's own choice is
 * overridden): so it knows whether a retry follows before it publishes anything, and a final attempt is
 * dead-lettered by the worker itself with its reason headers.
 */
public final class RetryPolicy {
    /** SmallRye's delayed-retry headers (KafkaDelayedRetryTopic): count of retries so far, first processing. */
    static final String RETRY_COUNT = "delayed-retry-count";
    static final String FIRST_PROCESSING = "delayed-retry-first-processing-timestamp";
    static final String RETRY_HEADER_PREFIX = "delayed-retry-";

    private final List<String> topics;
    private final int maxRetries;
    private final Duration timeout;

    public RetryPolicy(List<String> topics, int maxRetries, Duration timeout) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("at least one retry topic is needed");
        }
        topics.forEach(RetryPolicy::delayOf); // fails early on a name without the _<ms> suffix
        this.topics = List.copyOf(topics);
        this.maxRetries = maxRetries <= 0 ? topics.size() : maxRetries;
        this.timeout = timeout;
    }

    /** The policy of an incoming channel, with SmallRye's defaults for keys that are not set. */
    public static RetryPolicy fromConfig(Config config, String channel) {
        String prefix = "mp.messaging.incoming." + channel + ".delayed-retry-topic.";
        List<String> topics = config.getOptionalValue(prefix + "topics", String.class)
                .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList())
                .orElseGet(() -> List.of(channel + "_retry_10000", channel + "_retry_20000", channel + "_retry_50000"));
        int maxRetries = config.getOptionalValue(prefix + "max-retries", Integer.class).orElse(topics.size());
        long timeoutMs = config.getOptionalValue(prefix + "timeout", Long.class).orElse(120_000L);
        return new RetryPolicy(topics, maxRetries, Duration.ofMillis(timeoutMs));
    }

    public List<String> topics() {
        return topics;
    }

    /** Attempts a job gets in all: the first delivery and one per retry. */
    public int maxAttempts() {
        return maxRetries + 1;
    }

    public boolean isRetryTopic(String topic) {
        return topics.contains(topic);
    }

    /** 1 + the retries so far, per SmallRye's {@code delayed-retry-count} header (absent: first delivery). */
    public static int attemptOf(Headers headers) {
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

    /** When the first attempt failed, per the header SmallRye sets on the first nack; {@code now} if absent. */
    public static Instant firstProcessing(Headers headers, Instant now) {
        Header first = headers.lastHeader(FIRST_PROCESSING);
        if (first == null || first.value() == null) {
            return now;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(new String(first.value(), StandardCharsets.UTF_8).trim()));
        } catch (NumberFormatException e) {
            return now;
        }
    }

    /**
     * Removes SmallRye's retry headers: a record read from the request topic itself is a first delivery, whatever a
     * replaying tool copied onto it, and must not start with a spent retry budget.
     */
    public static void forgetRetries(Headers headers) {
        for (Header header : headers.toArray()) {
            if (header.key().startsWith(RETRY_HEADER_PREFIX)) {
                headers.remove(header.key());
            }
        }
    }

    /** The next step after attempt {@code attempt} failed transiently. */
    public Decision afterFailure(int attempt, Instant firstProcessing, Instant now, Instant deadline) {
        int retriesSoFar = attempt - 1;
        if (retriesSoFar >= maxRetries) {
            return new GiveUp("gave up after " + attempt + " attempt(s)");
        }
        String topic = topics.get(Math.min(retriesSoFar, topics.size() - 1));
        Duration delay = Duration.ofMillis(delayOf(topic));
        Instant next = now.plus(delay);
        if (deadline != null && next.isAfter(deadline)) {
            return new Expire("the next attempt (not before " + next + ") would start after the deadline " + deadline);
        }
        if (Duration.between(firstProcessing, next).compareTo(timeout) > 0) {
            return new GiveUp("gave up after " + attempt + " attempt(s): the next one would start more than "
                    + timeout.toSeconds() + " s after the first failure");
        }
        return new Retry(topic, delay);
    }

    /** The delay a retry topic stands for: its {@code _<ms>} suffix, as SmallRye reads it. */
    public static long delayOf(String topic) {
        int underscore = topic.lastIndexOf('_');
        try {
            return Long.parseLong(topic.substring(underscore + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("retry topic " + topic + " does not end in _<delay ms>", e);
        }
    }

    public sealed interface Decision {
    }

    /** Send the record to {@code topic}; it comes back after {@code delay}. */
    public record Retry(String topic, Duration delay) implements Decision {
    }

    /** No attempt is left: dead-letter the record and publish the final failure. */
    public record GiveUp(String why) implements Decision {
    }

    /** The next attempt would start after the request's deadline: fail it as expired now. */
    public record Expire(String why) implements Decision {
    }
}
