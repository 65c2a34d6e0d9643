package dev.sdqueue.pipeline;

import java.util.List;

/**
 * The outcome of {@link StableDiffusionPipeline#generate}.
 *
 * @param images                  one per requested image, in seed order
 * @param scheduler               the scheduler actually used (request name, e.g. "pndm")
 * @param unetSteps               denoising steps run over all batches (PNDM runs steps + 1 per batch)
 * @param timings                 per-stage wall-clock times
 * @param truncatedPrompt         prompt text beyond the text encoder's 75 tokens, dropped ("" if none)
 * @param truncatedNegativePrompt same for the negative prompt
 */
public record GenerationResult(List<GeneratedImage> images, String scheduler, int unetSteps, StageTimings timings,
                               String truncatedPrompt, String truncatedNegativePrompt) {

    public GenerationResult {
        images = List.copyOf(images);
    }
}
