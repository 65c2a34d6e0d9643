package dev.sdqueue.schema;

/** Kafka header names of the contract: CloudEvents binary mode, W3C trace context, content type. */
public final class Headers {
    public static final String CONTENT_TYPE = "content-type";
    public static final String JSON = "application/json";
    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CE_ID = "ce_id";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_TIME = "ce_time";
    public static final String CE_SPECVERSION_VALUE = "1.0";
    public static final String TRACEPARENT = "traceparent";

    /** On a dead-lettered record: a stable machine-readable code (e.g. {@code invalid}, {@code poison}). */
    public static final String DLQ_REASON = "sdq-dlq-reason";
    /** On a dead-lettered record: what went wrong, for people. */
    public static final String DLQ_MESSAGE = "sdq-dlq-message";

    /** {@code ce_type} of {@link GenerationRequested}. */
    public static final String TYPE_REQUESTED = "dev.sdqueue.generation.requested.v1";

    private Headers() {
    }

    /** {@code ce_type} of an event of the given {@code type} field, e.g. {@code dev.sdqueue.generation.completed.v1}. */
    public static String eventType(String type) {
        return "dev.sdqueue.generation." + type + ".v1";
    }
}
