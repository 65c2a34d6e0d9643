package dev.sdqueue.dispatcher;

import dev.sdqueue.schema.GenerationRequested;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /v1/generations}: the fields of {@link GenerationRequested} a client may set (the server
 * sets {@code jobId} and {@code requestedAt}). {@link RequestBodyParser} accepts exactly these components, so this
 * record is both the OpenAPI schema and the list of known properties; a test keeps it in step with the contract.
 */
@Schema(name = "GenerationRequest", description = "Parameters of a text-to-image generation. Only prompt is "
        + "required; absent fields take the deployment's defaults (sdq.defaults.*), bounds are sdq.limits.*. "
        + "Unknown properties are rejected.")
public record GenerationRequestBody(
        @Schema(required = true, description = "What to draw; not blank, at most sdq.limits.max-prompt-length "
                + "characters (default 2000).", examples = "a red fox in the snow, watercolor")
        String prompt,
        @Schema(description = "What to steer away from.", examples = "blurry")
        String negativePrompt,
        @Schema(description = "Pixels, a multiple of 8 within sdq.limits (default 64..1024; width*height at most "
                + "1048576). Default 512.", examples = "512")
        Integer width,
        @Schema(description = "Pixels, a multiple of 8 (see width). Default 512.", examples = "512")
        Integer height,
        @Schema(description = "Denoising steps, 1..sdq.limits.max-steps (default 150). Default 20.", examples = "20")
        Integer steps,
        @Schema(description = "Classifier-free guidance scale, a finite number in sdq.limits (default 0..30). "
                + "Default 7.5.", examples = "7.5")
        Double guidanceScale,
        @Schema(description = "Random seed, 0 or more; absent: the worker draws one and reports it.",
                examples = "42")
        Long seed,
        @Schema(description = "Scheduler name (the enumeration comes from the schema's Schedulers); absent: the "
                + "model's own scheduler.")
        String scheduler,
        @Schema(description = "Images to generate, 1..sdq.limits.max-images (default 4). Default 1.",
                examples = "1")
        Integer numImages,
        @Schema(description = "Model name, not blank when given; a worker serving another model fails the job "
                + "as invalid. Absent: the model of the worker that takes the job (or sdq.defaults.model if set).",
                examples = "tiny-random")
        String model,
        @Schema(description = "ISO-8601 instant with an offset (e.g. 2026-01-01T12:00:00Z) after which the job "
                + "is no longer wanted: a worker that dequeues it later fails it with reason expired, without "
                + "running it. Must be in the future and at most sdq.deadline.max-horizon (default 24h) ahead.",
                examples = "2026-01-01T12:00:00Z")
        Instant deadline) {

    /** The contract record for a job, as the client gave it (defaults not yet applied). */
    public GenerationRequested toRequested(String jobId, Instant requestedAt) {
        return new GenerationRequested(jobId, prompt, negativePrompt, width, height, steps, guidanceScale, seed,
                scheduler, numImages, model, requestedAt, deadline);
    }
}
