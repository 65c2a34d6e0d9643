package dev.sdqueue.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The value of {@link Topics#EVENTS}: what happened to a job. The {@code type} field tells which record it is;
 * consumers ignore types and fields they do not know (additive evolution within v1).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type",
        visible = true)
@JsonSubTypes({
        @JsonSubTypes.Type(value = GenerationEvent.Started.class, name = GenerationEvent.STARTED),
        @JsonSubTypes.Type(value = GenerationEvent.Progress.class, name = GenerationEvent.PROGRESS),
        @JsonSubTypes.Type(value = GenerationEvent.Completed.class, name = GenerationEvent.COMPLETED),
        @JsonSubTypes.Type(value = GenerationEvent.Failed.class, name = GenerationEvent.FAILED)})
public sealed interface GenerationEvent {
    String STARTED = "started";
    String PROGRESS = "progress";
    String COMPLETED = "completed";
    String FAILED = "failed";

    String jobId();

    String type();

    Instant at();

    /** 1 for the first delivery, incremented by each retry. */
    int attempt();

    /** True for {@code completed} and {@code failed}: a job has exactly one of them in the status view. */
    default boolean terminal() {
        return this instanceof Completed || this instanceof Failed;
    }

    /** A worker took the job. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Started(String jobId, String type, Instant at, int attempt, String worker) implements GenerationEvent {
        public Started {
            type = checkType(type, STARTED);
        }

        public Started(String jobId, Instant at, int attempt, String worker) {
            this(jobId, STARTED, at, attempt, worker);
        }
    }

    /** A denoising step finished. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Progress(String jobId, String type, Instant at, int attempt, int step, int totalSteps)
            implements GenerationEvent {
        public Progress {
            type = checkType(type, PROGRESS);
        }

        public Progress(String jobId, Instant at, int attempt, int step, int totalSteps) {
            this(jobId, PROGRESS, at, attempt, step, totalSteps);
        }
    }

    /**
     * The images are stored. {@code timings} maps a stage name (e.g. {@code denoise}, {@code upload}) to
     * milliseconds; {@code parameters} are the resolved generation parameters the images were made with.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Completed(String jobId, String type, Instant at, int attempt, List<ImageRef> images,
                     Map<String, Double> timings, String worker, String provider, String truncatedPrompt)
            implements GenerationEvent {
        public Completed {
            type = checkType(type, COMPLETED);
            images = List.copyOf(images);
            timings = timings == null ? null : Map.copyOf(timings);
        }

        public Completed(String jobId, Instant at, int attempt, List<ImageRef> images, Map<String, Double> timings,
                         String worker, String provider, String truncatedPrompt) {
            this(jobId, COMPLETED, at, attempt, images, timings, worker, provider, truncatedPrompt);
        }
    }

    /** The job ended without images. {@code reason} is a stable machine-readable code, {@code message} for people. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Failed(String jobId, String type, Instant at, int attempt, String reason, String message,
                  boolean retriable) implements GenerationEvent {
        public Failed {
            type = checkType(type, FAILED);
        }

        public Failed(String jobId, Instant at, int attempt, String reason, String message, boolean retriable) {
            this(jobId, FAILED, at, attempt, reason, message, retriable);
        }
    }

    private static String checkType(String given, String expected) {
        if (given != null && !given.equals(expected)) {
            throw new IllegalArgumentException("type must be '" + expected + "', was '" + given + "'");
        }
        return expected;
    }
}
