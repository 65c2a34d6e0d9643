package dev.sdqueue.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A request for images, the value of {@link Topics#REQUESTS}. Every field but {@code jobId} and {@code prompt} is
 * optional: null means "the configured default" (see {@link RequestDefaults#applyTo}).
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
        Instant requestedAt) {

    public GenerationRequested withJobId(String newJobId, Instant at) {
        return new GenerationRequested(newJobId, prompt, negativePrompt, width, height, steps, guidanceScale, seed,
                scheduler, numImages, model, at);
    }
}
