package dev.sdqueue.local;

import dev.sdqueue.schema.RetryDelays;
import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The topics the local stack creates: those of the public event contract ({@link Topics}) plus the delays of the
 * default retry topics. The broker runs with auto-create off, so a topic missing here is a loud error in the
 * applications rather than a silently created one.
 */
public final class ContractTopics {
    public static final String REQUESTS = Topics.REQUESTS;
    public static final String EVENTS = Topics.EVENTS;
    public static final String DEAD_LETTER = Topics.DEAD_LETTER;
    /** The default delayed-retry delays ({@link RetryDelays#DEFAULT}, the worker's default {@code sdq.retry.delays}). */
    public static final List<Long> RETRY_DELAYS_MS = RetryDelays.DEFAULT_DELAYS.stream()
            .map(Duration::toMillis).toList();

    private ContractTopics() {
    }

    public static String retry(long delayMillis) {
        return Topics.retry(delayMillis);
    }

    /** Topics that get the configured partition count: requests, its retry topics and events. */
    public static List<String> partitioned() {
        List<String> topics = new ArrayList<>();
        topics.add(REQUESTS);
        RETRY_DELAYS_MS.forEach(delay -> topics.add(retry(delay)));
        topics.add(EVENTS);
        return List.copyOf(topics);
    }

    /** Every topic of the contract. The DLQ has one partition: it is read by people, not scaled. */
    public static List<String> all() {
        List<String> topics = new ArrayList<>(partitioned());
        topics.add(DEAD_LETTER);
        return List.copyOf(topics);
    }
}
