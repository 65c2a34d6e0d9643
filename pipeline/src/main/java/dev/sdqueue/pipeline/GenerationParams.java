package dev.sdqueue.pipeline;

/**
 * One text-to-image request as the pipeline runs it (defaults already applied by the caller).
 *
 * @param prompt         text to render (not null; may be empty)
 * @param negativePrompt text to steer away from; null means "" (diffusers' unconditional prompt)
 * @param width          image width in pixels, a positive multiple of 8
 * @param height         image height in pixels, a positive multiple of 8
 * @param steps          inference steps requested from the scheduler (>= 1)
 * @param guidanceScale  classifier-free guidance g; g <= 1 runs the conditional branch only
 * @param seed           seed of image 0; image i uses seed + i (see {@link GaussianNoise})
 * @param scheduler      request or diffusers class name ("euler_a", "PNDMScheduler"); null = model default
 * @param numImages      images of this request (>= 1), denoised in batches of at most the pipeline's maxBatch
 * @throws InvalidGenerationParamsException if a value is out of range
 */
public record GenerationParams(String prompt, String negativePrompt, int width, int height, int steps,
                               double guidanceScale, long seed, String scheduler, int numImages) {

    /** Upper bound on steps: the schedulers' training schedule has 1000 timesteps. */
    public static final int MAX_STEPS = 1000;

    public GenerationParams {
        if (prompt == null) {
            throw new InvalidGenerationParamsException("prompt is required");
        }
        if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0) {
            throw new InvalidGenerationParamsException("width and height must be positive multiples of 8, got "
                    + width + "x" + height);
        }
        if (steps < 1 || steps > MAX_STEPS) {
            throw new InvalidGenerationParamsException("steps must be between 1 and " + MAX_STEPS + ", got " + steps);
        }
        if (!Double.isFinite(guidanceScale) || guidanceScale < 0) {
            throw new InvalidGenerationParamsException("guidanceScale must be a finite number >= 0, got " + guidanceScale);
        }
        if (numImages < 1) {
            throw new InvalidGenerationParamsException("numImages must be >= 1, got " + numImages);
        }
        if (scheduler != null && scheduler.isBlank()) {
            scheduler = null;
        }
    }

    /** The negative prompt as encoded: "" when none was given. */
    public String effectiveNegativePrompt() {
        return negativePrompt == null ? "" : negativePrompt;
    }

    /** Whether the unconditional branch runs (guidance above 1, as in diffusers). */
    public boolean classifierFreeGuidance() {
        return guidanceScale > 1.0;
    }
}
