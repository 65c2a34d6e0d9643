package dev.sdqueue.pipeline;

import dev.sdqueue.pipeline.CudaSettings;
import dev.sdqueue.pipeline.TensorRtSettings;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How to run the networks.
 *
 * @param providers       ONNX Runtime execution providers in order of preference: "tensorrt", "cuda", "cpu"; the
 *                        first that works on this host wins (see {@code OrtSessions}), an unknown name fails at load
 * @param intraOpThreads  threads per operator (0 = ONNX Runtime's default, one per core)
 * @param maxBatch        most images of one request denoised together in one UNet call (with classifier-free
 *                        guidance each image takes two batch rows); a larger request runs in several batches.
 *                        Also bounds the TensorRT profiles' batch axis.
 * @param strictProviders fail the load if a configured provider is not usable instead of falling back
 * @param tensorRt        TensorRT options (used only if "tensorrt" is configured)
 * @param cuda            CUDA options (device also used by TensorRT; used only if a GPU provider is configured)
 */
public record PipelineOptions(List<String> providers, int intraOpThreads, int maxBatch, boolean strictProviders,
                              TensorRtSettings tensorRt, CudaSettings cuda) {
    public static final int DEFAULT_MAX_BATCH = 4;

    public PipelineOptions(List<String> providers, int intraOpThreads) {
        this(providers, intraOpThreads, DEFAULT_MAX_BATCH);
    }

    public PipelineOptions(List<String> providers, int intraOpThreads, int maxBatch) {
        this(providers, intraOpThreads, maxBatch, false, TensorRtSettings.DEFAULT, CudaSettings.DEFAULT);
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
        Objects.requireNonNull(tensorRt, "tensorRt");
        Objects.requireNonNull(cuda, "cuda");
    }

    /** CPU, ONNX Runtime's default thread count. */
    public static PipelineOptions defaults() {
        return new PipelineOptions(List.of("cpu"), 0);
    }

    public PipelineOptions withIntraOpThreads(int threads) {
        return new PipelineOptions(providers, threads, maxBatch, strictProviders, tensorRt, cuda);
    }

    public PipelineOptions withMaxBatch(int images) {
        return new PipelineOptions(providers, intraOpThreads, images, strictProviders, tensorRt, cuda);
    }

    public PipelineOptions withProviders(List<String> order, boolean strict) {
        return new PipelineOptions(order, intraOpThreads, maxBatch, strict, tensorRt, cuda);
    }

    public PipelineOptions withTensorRt(TensorRtSettings settings) {
        return new PipelineOptions(providers, intraOpThreads, maxBatch, strictProviders, settings, cuda);
    }

    public PipelineOptions withCuda(CudaSettings settings) {
        return new PipelineOptions(providers, intraOpThreads, maxBatch, strictProviders, tensorRt, settings);
    }
}
