package dev.sdqueue.pipeline.onnx.providers;

import dev.sdqueue.pipeline.ExecutionProvider;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Adds providers through ONNX Runtime's Java API. The provider option objects are closed right after
 * being added: ORT copies them into the provider factory it registers.
 */
public final class OrtProviderBinder implements ProviderBinder {

    public static final OrtProviderBinder INSTANCE = new OrtProviderBinder();

    private OrtProviderBinder() {
    }

    @Override
    public void bind(OrtSession.SessionOptions options, ExecutionProvider provider, Map<String, String> settings)
            throws OrtException {
        switch (provider) {
            case TENSORRT -> {
                try (OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions()) {
                    for (Map.Entry<String, String> e : settings.entrySet()) {
                        trt.add(e.getKey(), e.getValue());
                    }
                    options.addTensorrt(trt);
                }
                // Only once the provider is known to load: a CPU-only host never gets these directories.
                createDirectory(settings.get("trt_engine_cache_path"));
                createDirectory(settings.get("trt_timing_cache_path"));
            }
            case CUDA -> {
                try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions()) {
                    for (Map.Entry<String, String> e : settings.entrySet()) {
                        cuda.add(e.getKey(), e.getValue());
                    }
                    options.addCUDA(cuda);
                }
            }
            case CPU -> options.addCPU(true);
        }
    }

    private static void createDirectory(String dir) throws OrtException {
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(Path.of(dir));
        } catch (IOException | RuntimeException e) {
            throw new OrtException(OrtException.OrtErrorCode.ORT_FAIL, "cannot create TensorRT cache directory " + dir
                    + ": " + e);
        }
    }
}
