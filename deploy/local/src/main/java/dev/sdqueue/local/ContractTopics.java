package dev.sdqueue.local;

import java.util.List;

/**
 * The topics of the public event contract (DESIGN.md; same names as {@code dev.sdqueue.schema.Topics}, kept
 * here so the local stack builds without the schema module). The broker runs with auto-create off, so
 * a topic missing here is a loud error in the applications rather than a silently created one.
 */
public final class ContractTopics {
    public static final String REQUESTS = "sdq.generation.requests";
    public static final String EVENTS = "sdq.generation.events";
    public static final String DEAD_LETTER = "sdq.generation.requests.dlq";
    /** Delayed-retry delays; SmallRye's delayed-retry topics must end in {@code _<delay ms>}. */
    public static final List<Long> RETRY_DELAYS_MS = List.of(10_000L, 60_000L, 300_000L);

    private ContractTopics() {
    }

    public static String retry(long delayMillis) {
        return REQUESTS + "_retry_" + delayMillis;
    }

    /** Topics that get the configured partition count: requests, its retry topics and events. */
    public static List<String> partitioned() {
        return List.of(REQUESTS, retry(RETRY_DELAYS_MS.get(0)), retry(RETRY_DELAYS_MS.get(1)),
                retry(RETRY_DELAYS_MS.get(2)), EVENTS);
    }

    /** Every topic of the contract. The DLQ has one partition: it is read by people, not scaled. */
    public static List<String> all() {
        return List.of(REQUESTS, retry(RETRY_DELAYS_MS.get(0)), retry(RETRY_DELAYS_MS.get(1)),
                retry(RETRY_DELAYS_MS.get(2)), EVENTS, DEAD_LETTER);
    }
}
