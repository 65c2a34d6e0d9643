package dev.sdqueue.worker.pipeline;

import java.util.List;
import java.util.Locale;

/**
 * How to run the networks.
 *
 * @param providers      ONNX Runtime execution providers in order of preference, e.g. ["cpu"].
 *                       Only "cpu" is supported by this build; anything else fails at load.
 * @param intraOpThreads threads per operator (0 = ONNX Runtime's default, one per core)
 */
public record PipelineOptions(List<String> providers, int intraOpThreads) {

    public PipelineOptions {
        if (providers == null || providers.isEmpty()) {
            throw new IllegalArgumentException("at least one execution provider is required, e.g. [cpu]");
        }
        providers = providers.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).toList();
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        }
    }

    /** CPU, ONNX Runtime's default thread count. */
    public static PipelineOptions defaults() {
        return new PipelineOptions(List.of("cpu"), 0);
    }

    public PipelineOptions withIntraOpThreads(int threads) {
        return new PipelineOptions(providers, threads);
    }
}
