package dev.sdqueue.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A request for images, the value of {@link Topics#REQUESTS}. Every field but {@code jobId} and {@code prompt} is
 * optional: null means "the configured default" (see {@link RequestDefaults#applyTo}). {@code deadline}, when given,
 * is the instant after which the job is no longer wanted: a worker that dequeues it later fails it as
 * {@code expired} without running it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GenerationRequested(
        String jobId,
        String prompt,
        String negativePrompt,
        Integer width,
        Integer height,
        Integer steps,
        Double guidanceScale,
        Long seed,
        String scheduler,
        Integer numImages,
        String model,
        Instant requestedAt,
        Instant deadline) {

    /** A request without a deadline (the common case, and every v1 producer before the field existed). */
    public GenerationRequested(String jobId, String prompt, String negativePrompt, Integer width, Integer height,
                               Integer steps, Double guidanceScale, Long seed, String scheduler, Integer numImages,
                               String model, Instant requestedAt) {
        this(jobId, prompt, negativePrompt, width, height, steps, guidanceScale, seed, scheduler, numImages, model,
                requestedAt, null);
    }

    public GenerationRequested withJobId(String newJobId, Instant at) {
        return new GenerationRequested(newJobId, prompt, negativePrompt, width, height, steps, guidanceScale, seed,
                scheduler, numImages, model, at, deadline);
    }
}
