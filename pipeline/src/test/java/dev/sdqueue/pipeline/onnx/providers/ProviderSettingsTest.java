package dev.sdqueue.pipeline.onnx.providers;

import dev.sdqueue.pipeline.ExecutionProvider;
import dev.sdqueue.pipeline.ProviderFailure;
import dev.sdqueue.pipeline.ShapeProfile;
import dev.sdqueue.pipeline.ImageSizeRange;
import dev.sdqueue.pipeline.TensorRtSettings;
import dev.sdqueue.pipeline.CudaSettings;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** The option maps handed to ONNX Runtime's TensorRT and CUDA providers (key names as ORT documents them). */
class ProviderSettingsTest {

    private static final ShapeProfile UNET = new ShapeProfile(List.of(
            new ShapeProfile.InputRange("sample", new long[] {1, 4, 8, 8}, new long[] {2, 4, 64, 64},
                    new long[] {8, 4, 128, 128}),
            new ShapeProfile.InputRange("encoder_hidden_states", new long[] {1, 77, 768}, new long[] {2, 77, 768},
                    new long[] {8, 77, 768})));

    @Test
    void tensorRtOptionsCarryEverySettingCachesAndTheProfile() {
        TensorRtSettings s = new TensorRtSettings(true, Path.of("/data/trt/engines"), Path.of("/data/trt/timing"), 5,
                6L << 30, ImageSizeRange.DEFAULT);

        Map<String, String> o = s.toProviderOptions(1, UNET);

        assertThat(o).containsExactly(
                entry("device_id", "1"),
                entry("trt_fp16_enable", "1"),
                entry("trt_engine_cache_enable", "1"),
                entry("trt_engine_cache_path", "/data/trt/engines"),
                entry("trt_timing_cache_enable", "1"),
                entry("trt_timing_cache_path", "/data/trt/timing"),
                entry("trt_builder_optimization_level", "5"),
                entry("trt_max_workspace_size", "6442450944"),
                entry("trt_profile_min_shapes", "sample:1x4x8x8,encoder_hidden_states:1x77x768"),
                entry("trt_profile_opt_shapes", "sample:2x4x64x64,encoder_hidden_states:2x77x768"),
                entry("trt_profile_max_shapes", "sample:8x4x128x128,encoder_hidden_states:8x77x768"));
    }

    @Test
    void fp16OffAndNoDynamicInputsLeaveOutTheProfileKeys() {
        TensorRtSettings s = new TensorRtSettings(false, Path.of("rel/engines"), Path.of("rel/timing"), 3, 1L << 30,
                ImageSizeRange.DEFAULT);

        Map<String, String> o = s.toProviderOptions(0, ShapeProfile.EMPTY);

        assertThat(o).containsEntry("trt_fp16_enable", "0").doesNotContainKeys("trt_profile_min_shapes",
                "trt_profile_opt_shapes", "trt_profile_max_shapes");
        // Relative cache paths are resolved once, so ORT and the logs agree whatever ORT's working directory.
        assertThat(o.get("trt_engine_cache_path")).isEqualTo(Path.of("rel/engines").toAbsolutePath().toString());
    }

    @Test
    void tensorRtDefaultsAreTheDocumentedOnes() {
        Map<String, String> o = TensorRtSettings.DEFAULT.toProviderOptions(CudaSettings.DEFAULT.deviceId(),
                ShapeProfile.EMPTY);
        assertThat(o).containsEntry("device_id", "0").containsEntry("trt_fp16_enable", "1")
                .containsEntry("trt_engine_cache_path", "/var/cache/sdq/tensorrt/engines")
                .containsEntry("trt_timing_cache_path", "/var/cache/sdq/tensorrt/timing")
                .containsEntry("trt_builder_optimization_level", "3")
                .containsEntry("trt_max_workspace_size", Long.toString(4L * 1024 * 1024 * 1024));
    }

    @Test
    void tensorRtRejectsOutOfRangeSettings() {
        assertThatThrownBy(() -> new TensorRtSettings(true, Path.of("e"), Path.of("t"), 6, 1, ImageSizeRange.DEFAULT))
                .hasMessageContaining("optimization level must be 0..5, got 6");
        assertThatThrownBy(() -> new TensorRtSettings(true, Path.of("e"), Path.of("t"), 3, 0, ImageSizeRange.DEFAULT))
                .hasMessageContaining("workspace size must be > 0");
    }

    @Test
    void cudaOptionsNormaliseSpellingAndOmitAnUnsetMemoryLimit() {
        assertThat(new CudaSettings(2, "heuristic", "KSAMEASREQUESTED", 0).toProviderOptions()).containsExactly(
                entry("device_id", "2"),
                entry("cudnn_conv_algo_search", "HEURISTIC"),
                entry("arena_extend_strategy", "kSameAsRequested"));
        assertThat(CudaSettings.DEFAULT.toProviderOptions()).containsExactly(
                entry("device_id", "0"),
                entry("cudnn_conv_algo_search", "EXHAUSTIVE"),
                entry("arena_extend_strategy", "kNextPowerOfTwo"));
        assertThat(new CudaSettings(0, "DEFAULT", "kNextPowerOfTwo", 8L << 30).toProviderOptions())
                .containsEntry("gpu_mem_limit", "8589934592");
    }

    @Test
    void cudaRejectsUnknownValues() {
        assertThatThrownBy(() -> new CudaSettings(0, "fastest", "kNextPowerOfTwo", 0))
                .hasMessageContaining("EXHAUSTIVE, HEURISTIC or DEFAULT, got 'fastest'");
        assertThatThrownBy(() -> new CudaSettings(0, "EXHAUSTIVE", "double", 0))
                .hasMessageContaining("kNextPowerOfTwo or kSameAsRequested, got 'double'");
        assertThatThrownBy(() -> new CudaSettings(-1, "EXHAUSTIVE", "kNextPowerOfTwo", 0))
                .hasMessageContaining("device id must be >= 0");
    }

    @Test
    void profileNamesTheProviderCannotParseAreRejected() {
        long[] one = {1};
        assertThatThrownBy(() -> new ShapeProfile.InputRange("a,b", one, one, one))
                .hasMessageContaining("'a,b' cannot appear in a TensorRT profile");
        assertThatThrownBy(() -> new ShapeProfile.InputRange("x", new long[] {2}, one, one))
                .hasMessageContaining("need 1 <= min <= opt <= max");
    }

    @Test
    void providerNamesAreCaseInsensitiveAndFailuresDescribeTheOrtError() {
        assertThat(ExecutionProvider.byName(" TensorRT ")).contains(ExecutionProvider.TENSORRT);
        assertThat(ExecutionProvider.byName("rocm")).isEmpty();
        ProviderFailure f = new ProviderFailure(ExecutionProvider.CUDA, "unet", "ORT_FAIL",
                "Error code - ORT_FAIL - message: Failed to load library libonnxruntime_providers_cuda.so");
        assertThat(f.describe()).isEqualTo("cuda (unet): ORT_FAIL Failed to load library libonnxruntime_providers_cuda.so");
        // As the GPU jar reports it on a host without CUDA (measured here with onnxruntime_gpu 1.29.0).
        ProviderFailure gpuJar = new ProviderFailure(ExecutionProvider.TENSORRT, "text_encoder", "ORT_FAIL",
                "Error code - ORT_FAIL - message: /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1988"
                        + " onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL :"
                        + " Failed to load library /tmp/x/libonnxruntime_providers_tensorrt.so with error: libcublas.so.12:"
                        + " cannot open shared object file: No such file or directory");
        assertThat(gpuJar.describe()).isEqualTo("tensorrt (text_encoder): ORT_FAIL Failed to load library"
                + " /tmp/x/libonnxruntime_providers_tensorrt.so with error: libcublas.so.12: cannot open shared object file:"
                + " No such file or directory");
        assertThat(gpuJar.message()).contains("provider_bridge_ort.cc");
    }
}
