package dev.sdqueue.worker.routing;

import dev.sdqueue.schema.RetryDelays;
import java.time.Duration;
import java.util.List;

/**
 * The retries a transiently failed job gets: one delayed-retry topic per delay ({@code <requests>_retry_<ms>}, the
 * name SmallRye's {@code delayed-retry-topic} strategy reads the delay from), used in order, the last one again if
 * {@code maxRetries} exceeds them; no retry may start more than {@code timeout} after the first failure. Built from
 * the one typed setting {@code sdq.retry.*}, which also configures the request channel and names the topics a
 * deployment must create.
 */
public final class RetrySchedule {
    private final List<Duration> delays;
    /** Derived once: the consumer asks {@link #isRetryTopic} for every record. */
    private final List<String> topics;
    private final int maxRetries;
    private final Duration timeout;

    public RetrySchedule(List<Duration> delays, int maxRetries, Duration timeout) {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("at least one retry delay is needed");
        }
        for (Duration delay : delays) {
            if (delay.toMillis() <= 0) {
                throw new IllegalArgumentException("retry delays must be at least 1 ms, got " + delay);
            }
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, was " + maxRetries);
        }
        this.delays = List.copyOf(delays);
        this.topics = RetryDelays.topics(this.delays);
        this.maxRetries = maxRetries;
        this.timeout = timeout;
    }

    /** One retry per delay. */
    public static RetrySchedule of(List<Duration> delays, Duration timeout) {
        return new RetrySchedule(delays, delays.size(), timeout);
    }

    public List<Duration> delays() {
        return delays;
    }

    /** The retry topics, in the order retries use them. */
    public List<String> topics() {
        return topics;
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** No retry starts later than this after the first failure. */
    public Duration timeout() {
        return timeout;
    }

    /** Attempts a job gets in all: the first delivery and one per retry. */
    public int maxAttempts() {
        return maxRetries + 1;
    }

    public boolean isRetryTopic(String topic) {
        return topics.contains(topic);
    }

    /** The delay before retry number {@code retry} (1-based); the last one repeats. */
    Duration delayOfRetry(int retry) {
        return delays.get(Math.min(retry, delays.size()) - 1);
    }
}
