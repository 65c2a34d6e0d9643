package dev.sdqueue.worker.pipeline.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sdqueue.worker.pipeline.ModelLoadException;
import dev.sdqueue.worker.pipeline.PipelineOptions;

import java.util.List;

/** Session options from {@link PipelineOptions}: execution providers in order, thread counts. */
public final class OrtSessions {

    /** Providers this build can use. GPU providers (tensorrt, cuda) come with the GPU build. */
    public static final List<String> SUPPORTED_PROVIDERS = List.of("cpu");

    private OrtSessions() {
    }

    /** Fails with a message naming the provider if any requested provider is not supported. */
    public static void checkProviders(PipelineOptions options) {
        for (String p : options.providers()) {
            if (!SUPPORTED_PROVIDERS.contains(p)) {
                throw new ModelLoadException("unsupported execution provider '" + p + "' (this build supports: "
                        + String.join(", ", SUPPORTED_PROVIDERS) + ")");
            }
        }
    }

    /** New options for one session; the caller closes them after creating the session. */
    public static OrtSession.SessionOptions create(PipelineOptions options) {
        checkProviders(options);
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            for (String p : options.providers()) {
                if (p.equals("cpu")) {
                    so.addCPU(true);
                }
            }
            return so;
        } catch (OrtException e) {
            so.close();
            throw new ModelLoadException("cannot configure ONNX Runtime session options: " + e.getMessage(), e);
        }
    }
}
