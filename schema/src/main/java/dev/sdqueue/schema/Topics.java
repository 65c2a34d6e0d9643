package dev.sdqueue.schema;

/** Topic names of the public event contract (schema/README.md). Renaming one breaks other producers and consumers. */
public final class Topics {
    /** Key: job id. Value: {@link GenerationRequested}. */
    public static final String REQUESTS = "sdq.generation.requests";
    /** Key: job id. Value: a {@link GenerationEvent}. */
    public static final String EVENTS = "sdq.generation.events";
    /** Key: job id. Value: the original request record plus reason headers. */
    public static final String DEAD_LETTER = "sdq.generation.requests.dlq";
    /** Consumer group of the workers; KEDA scales on its lag. */
    public static final String WORKER_GROUP = "sdq-workers";

    private Topics() {
    }

    /** Delayed-retry topic for a delay: SmallRye's delayed-retry naming requires the {@code _<delay ms>} suffix. */
    public static String retry(long delayMillis) {
        if (delayMillis <= 0) {
            throw new IllegalArgumentException("retry delay must be positive, was " + delayMillis);
        }
        return REQUESTS + "_retry_" + delayMillis;
    }
}
