package dev.sdqueue.pipeline;

import java.util.List;

/**
 * The outcome of {@link StableDiffusionPipeline#generateDecoded}: images not yet PNG-encoded, and timings whose
 * {@code pngEncode} is zero (encoding is the caller's). {@code stepsRun} is less than {@code unetSteps} when the
 * {@link StepControl} stopped the run; it then has no images.
 */
public record DecodedGeneration(List<DecodedImage> images, String scheduler, int unetSteps, int stepsRun,
                                StageTimings timings, String truncatedPrompt, String truncatedNegativePrompt) {

    public DecodedGeneration {
        images = List.copyOf(images);
    }

    /** True when the step control stopped the run before its last step. */
    public boolean stopped() {
        return stepsRun < unetSteps;
    }
}
