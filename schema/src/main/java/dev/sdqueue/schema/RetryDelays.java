package dev.sdqueue.schema;

import java.time.Duration;
import java.util.List;

/**
 * The default delays of the delayed-retry topics: each delay is a topic {@code sdq.generation.requests_retry_<ms>}
 * ({@link Topics#retry}) that a deployment creates and the worker's request channel reads. A worker changes them
 * with {@code sdq.retry.delays}; the local stack creates the defaults' topics.
 */
public final class RetryDelays {
    /** The worker's default {@code sdq.retry.delays} (a configuration value); {@link #DEFAULT_DELAYS} as durations. */
    public static final String DEFAULT = "10s,60s,300s";
    /** Retries after 10 s, 1 min and 5 min. A worker test checks that {@link #DEFAULT} reads as these. */
    public static final List<Duration> DEFAULT_DELAYS = List.of(Duration.ofSeconds(10), Duration.ofSeconds(60),
            Duration.ofSeconds(300));

    private RetryDelays() {
    }

    /** The retry topics of these delays, in order. */
    public static List<String> topics(List<Duration> delays) {
        return delays.stream().map(delay -> Topics.retry(delay.toMillis())).toList();
    }
}
