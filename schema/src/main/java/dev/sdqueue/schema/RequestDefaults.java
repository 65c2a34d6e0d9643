package dev.sdqueue.schema;

/**
 * Values an absent optional field takes. {@code scheduler} null means "the model's own scheduler_config.json";
 * {@code seed} is never defaulted here: the worker draws one and reports it. {@code model} null means "the model of
 * the worker that takes the job": the contract has no default model name (a producer that stamped one would have
 * every worker serving another model refuse the job); a worker builds its defaults with its own model's name.
 */
public record RequestDefaults(int width, int height, int steps, double guidanceScale, int numImages, String scheduler,
                              String model) {

    public static final RequestDefaults DEFAULTS = new RequestDefaults(512, 512, 20, 7.5, 1, null, null);

    /**
     * The request with every absent optional field set to its default (seed and negative prompt stay as given; a
     * null default, like {@link #DEFAULTS}' scheduler and model, leaves the field absent).
     */
    public GenerationRequested applyTo(GenerationRequested r) {
        return new GenerationRequested(r.jobId(), r.prompt(), r.negativePrompt(),
                r.width() != null ? r.width() : width,
                r.height() != null ? r.height() : height,
                r.steps() != null ? r.steps() : steps,
                r.guidanceScale() != null ? r.guidanceScale() : guidanceScale,
                r.seed(),
                r.scheduler() != null ? r.scheduler() : scheduler,
                r.numImages() != null ? r.numImages() : numImages,
                r.model() != null ? r.model() : model,
                r.requestedAt(),
                r.deadline());
    }
}
