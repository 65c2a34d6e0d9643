package dev.sdqueue.worker.pipeline;

import java.util.List;
import java.util.Locale;

/**
 * How to run the networks.
 *
 * @param providers      ONNX Runtime execution providers in order of preference, e.g. ["cpu"].
 *                       Only "cpu" is supported by this build; anything else fails at load.
 * @param intraOpThreads threads per operator (0 = ONNX Runtime's default, one per core)
 * @param maxBatch       most images of one request denoised together in one UNet call (with classifier-free
 *                       guidance each image takes two batch rows); a larger request runs in several batches
 */
public record PipelineOptions(List<String> providers, int intraOpThreads, int maxBatch) {
    public static final int DEFAULT_MAX_BATCH = 4;

    public PipelineOptions(List<String> providers, int intraOpThreads) {
        this(providers, intraOpThreads, DEFAULT_MAX_BATCH);
    }

    public PipelineOptions {
        if (providers == null || providers.isEmpty()) {
            throw new IllegalArgumentException("at least one execution provider is required, e.g. [cpu]");
        }
        providers = providers.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).toList();
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
    }

    /** CPU, ONNX Runtime's default thread count. */
    public static PipelineOptions defaults() {
        return new PipelineOptions(List.of("cpu"), 0);
    }

    public PipelineOptions withIntraOpThreads(int threads) {
        return new PipelineOptions(providers, threads, maxBatch);
    }

    public PipelineOptions withMaxBatch(int images) {
        return new PipelineOptions(providers, intraOpThreads, images);
    }
}
