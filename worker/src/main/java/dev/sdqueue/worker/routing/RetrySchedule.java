package dev.sdqueue.worker.routing;

import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.List;

/**
 * The retries a transiently failed job gets: one delayed-retry topic per delay ({@code <requests>_retry_<ms>}, the
 * name SmallRye's {@code delayed-retry-topic} strategy reads the delay from), used in order, the last one again if
 * {@code maxRetries} exceeds them; no retry may start more than {@code timeout} after the first failure. Built from
 * the one typed setting {@code sdq.retry.*}, which also configures the request channel and names the topics a
 * deployment must create.
 */
public record RetrySchedule(List<Duration> delays, int maxRetries, Duration timeout) {

    public RetrySchedule {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("at least one retry delay is needed");
        }
        for (Duration delay : delays) {
            if (delay.toMillis() <= 0) {
                throw new IllegalArgumentException("retry delays must be at least 1 ms, got " + delay);
            }
        }
        delays = List.copyOf(delays);
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, was " + maxRetries);
        }
    }

    /** One retry per delay. */
    public static RetrySchedule of(List<Duration> delays, Duration timeout) {
        return new RetrySchedule(delays, delays.size(), timeout);
    }

    /** The retry topics, in the order retries use them. */
    public List<String> topics() {
        return delays.stream().map(delay -> Topics.retry(delay.toMillis())).toList();
    }

    /** Attempts a job gets in all: the first delivery and one per retry. */
    public int maxAttempts() {
        return maxRetries + 1;
    }

    public boolean isRetryTopic(String topic) {
        return topics().contains(topic);
    }

    /** The delay before retry number {@code retry} (1-based), and its topic. */
    Duration delayOfRetry(int retry) {
        return delays.get(Math.min(retry, delays.size()) - 1);
    }
}
