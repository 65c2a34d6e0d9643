package dev.sdqueue.pipeline.onnx.providers;

import dev.sdqueue.pipeline.ExecutionProvider;
import dev.sdqueue.pipeline.TensorRtSettings;
import dev.sdqueue.pipeline.CudaSettings;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;

/**
 * Registers one execution provider on a session's options. The real one ({@link OrtProviderBinder}) calls
 * ONNX Runtime; tests substitute one that fails the way each ORT artifact does on a machine without a GPU.
 */
@FunctionalInterface
public interface ProviderBinder {

    /**
     * @param options  the session options to add the provider to
     * @param provider which provider
     * @param settings its provider options (see {@link TensorRtSettings#toProviderOptions}, {@link CudaSettings#toProviderOptions})
     * @throws OrtException as ONNX Runtime reports an unusable provider: ORT_EP_FAIL when this build has no such
     *                      provider (CPU jar), ORT_FAIL when its native libraries cannot load (GPU jar without CUDA)
     */
    void bind(OrtSession.SessionOptions options, ExecutionProvider provider, Map<String, String> settings)
            throws OrtException;
}
