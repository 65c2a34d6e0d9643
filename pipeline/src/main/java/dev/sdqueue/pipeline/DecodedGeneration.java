package dev.sdqueue.pipeline;

import java.util.List;

/**
 * The outcome of {@link StableDiffusionPipeline#generateDecoded}: images not yet PNG-encoded, and timings whose
 * {@code pngEncode} is zero (encoding is the caller's).
 */
public record DecodedGeneration(List<DecodedImage> images, String scheduler, int unetSteps, StageTimings timings,
                                String truncatedPrompt, String truncatedNegativePrompt) {

    public DecodedGeneration {
        images = List.copyOf(images);
    }
}
