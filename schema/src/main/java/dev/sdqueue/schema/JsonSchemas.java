package dev.sdqueue.schema;

import java.util.List;

/**
 * Where the JSON Schema files of v1 live on the classpath. Each {@code $id} is
 * {@code https://sdqueue.dev/schema/v1/<file>}; the files refer to each other relatively.
 */
public final class JsonSchemas {
    public static final String ID_PREFIX = "https://sdqueue.dev/schema/";
    public static final String CLASSPATH_PREFIX = "dev/sdqueue/schema/";
    public static final String REQUESTED = "v1/generation-requested.json";
    public static final String EVENT = "v1/generation-event.json";
    public static final String STARTED = "v1/generation-started.json";
    public static final String PROGRESS = "v1/generation-progress.json";
    public static final String COMPLETED = "v1/generation-completed.json";
    public static final String FAILED = "v1/generation-failed.json";
    public static final List<String> ALL = List.of(REQUESTED, EVENT, STARTED, PROGRESS, COMPLETED, FAILED,
            "v1/event-common.json", "v1/image-ref.json");

    private JsonSchemas() {
    }

    /** The {@code $id} of a schema file, e.g. {@code id(REQUESTED)}. */
    public static String id(String file) {
        return ID_PREFIX + file;
    }
}
