package dev.sdqueue.pipeline.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtException.OrtErrorCode;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.pipeline.LoadListener;
import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.CudaSettings;
import dev.sdqueue.pipeline.ExecutionProvider;
import dev.sdqueue.pipeline.ImageSizeRange;
import dev.sdqueue.pipeline.onnx.providers.OrtProviderBinder;
import dev.sdqueue.pipeline.onnx.providers.ProviderBinder;
import dev.sdqueue.pipeline.ProviderFailure;
import dev.sdqueue.pipeline.ProviderSelection;
import dev.sdqueue.pipeline.TensorRtSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Provider selection on real ONNX Runtime sessions over tiny-random. GPU providers fail the way each ORT
 * artifact fails on a host without a GPU (both reproduced on a machine without CUDA): the CPU jar throws
 * ORT_EP_FAIL "Failed to find ... shared provider"; the GPU jar without CUDA throws ORT_FAIL "Failed to load
 * library ... libcublas.so.12". The fakes throw those; the last tests use the real CPU jar.
 */
class ProviderFallbackTest {

    private static final String TRT_CPU_JAR = "Failed to find TensorRT shared provider";
    private static final String CUDA_CPU_JAR = "Failed to find CUDA shared provider";
    private static final String TRT_GPU_JAR = "Failed to load library /tmp/onnxruntime-java1/libonnxruntime_providers_tensorrt.so"
            + " with error: libcublas.so.12: cannot open shared object file: No such file or directory";
    private static final String CUDA_GPU_JAR = "Failed to load library /tmp/onnxruntime-java1/libonnxruntime_providers_cuda.so"
            + " with error: libcublasLt.so.12: cannot open shared object file: No such file or directory";

    @TempDir
    Path temp;
    private Path model;
    private PipelineOptions options;

    @BeforeEach
    void writeModel() throws IOException {
        model = temp.resolve("tiny-random");
        TinyRandomModel.write(model);
        TensorRtSettings trt = new TensorRtSettings(true, temp.resolve("trt/engines"), temp.resolve("trt/timing"), 3,
                1L << 30, ImageSizeRange.DEFAULT);
        options = new PipelineOptions(List.of("tensorrt", "cuda", "cpu"), 1, 2).withTensorRt(trt)
                .withCuda(new CudaSettings(0, "HEURISTIC", "kSameAsRequested", 0));
    }

    /** A provider binder standing in for an ORT artifact: GPU providers fail (or are accepted), the CPU is real. */
    private static final class FakeArtifact implements ProviderBinder {
        final Map<ExecutionProvider, OrtException> failures = new EnumMap<>(ExecutionProvider.class);
        final List<ExecutionProvider> calls = new ArrayList<>();
        final List<Map<String, String>> tensorRtSettings = new ArrayList<>();
        final List<Map<String, String>> cudaSettings = new ArrayList<>();
        /** Accepted TensorRT, but sessions with these settings cannot be created (e.g. an engine build failure). */
        Predicate<Map<String, String>> tensorRtSessionFails = s -> false;

        FakeArtifact failing(ExecutionProvider p, OrtErrorCode code, String message) {
            failures.put(p, new OrtException(code, message));
            return this;
        }

        @Override
        public void bind(OrtSession.SessionOptions so, ExecutionProvider p, Map<String, String> settings)
                throws OrtException {
            calls.add(p);
            (p == ExecutionProvider.TENSORRT ? tensorRtSettings : p == ExecutionProvider.CUDA ? cudaSettings
                    : new ArrayList<Map<String, String>>()).add(settings);
            OrtException failure = failures.get(p);
            if (failure != null) {
                throw new OrtException(failure.getCode(), failure.getMessage().replaceFirst("^Error code - \\w+ - message: ", ""));
            }
            if (p == ExecutionProvider.CPU) {
                OrtProviderBinder.INSTANCE.bind(so, p, settings);
            } else if (p == ExecutionProvider.TENSORRT && tensorRtSessionFails.test(settings)) {
                // Makes env.createSession fail like a provider that cannot take the network.
                so.addConfigEntry("session.load_model_format", "ORT");
            }
        }
    }

    /** Everything the loader reports. */
    private static final class Events implements LoadListener {
        final List<String> loaded = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        final List<ProviderSelection> selected = new ArrayList<>();

        @Override
        public void loaded(String component, int index, int total, Duration took) {
            loaded.add(index + "/" + total + " " + component);
        }

        @Override
        public void providerFailed(ProviderFailure failure, String fallback) {
            failed.add(failure.provider() + " " + failure.component() + " " + failure.code() + " -> " + fallback);
        }

        @Override
        public void providersSelected(ProviderSelection selection) {
            selected.add(selection);
        }
    }

    private static void assertRuns(StableDiffusionModel m) {
        TextEncoder.Encoded e = m.textEncoder().encode(new int[][] {new int[77]});
        assertThat(e.data()).hasSize(77 * 32);
    }

    @Test
    void cpuJarFailureModeFallsBackThroughCudaToCpu() {
        FakeArtifact cpuJar = new FakeArtifact()
                .failing(ExecutionProvider.TENSORRT, OrtErrorCode.ORT_EP_FAIL, TRT_CPU_JAR)
                .failing(ExecutionProvider.CUDA, OrtErrorCode.ORT_EP_FAIL, CUDA_CPU_JAR);
        Events events = new Events();

        try (StableDiffusionModel m = ModelLoader.load(model, options, events, cpuJar)) {
            assertThat(m.info().providers()).containsExactly("cpu");
            assertRuns(m);
        }
        assertThat(events.failed).containsExactly(
                "tensorrt text_encoder ORT_EP_FAIL -> cuda",
                "cuda text_encoder ORT_EP_FAIL -> cpu");
        ProviderSelection s = events.selected.get(0);
        assertThat(s.active()).isEqualTo(ExecutionProvider.CPU);
        assertThat(s.configured()).containsExactly(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA,
                ExecutionProvider.CPU);
        assertThat(s.describe()).isEqualTo("cpu (not usable: tensorrt (text_encoder): ORT_EP_FAIL " + TRT_CPU_JAR
                + "; cuda (text_encoder): ORT_EP_FAIL " + CUDA_CPU_JAR + ")");
        // Tried in the configured order, dropping each failed provider from the chain of the next try.
        assertThat(cpuJar.calls).containsSubsequence(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA,
                ExecutionProvider.CPU);
        assertThat(events.loaded).containsExactly("1/5 scheduler", "2/5 tokenizer", "3/5 text_encoder", "4/5 unet",
                "5/5 vae_decoder");
    }

    @Test
    void gpuJarWithoutCudaFailureModeFallsBackToCpu() {
        FakeArtifact gpuJarNoCuda = new FakeArtifact()
                .failing(ExecutionProvider.TENSORRT, OrtErrorCode.ORT_FAIL, TRT_GPU_JAR)
                .failing(ExecutionProvider.CUDA, OrtErrorCode.ORT_FAIL, CUDA_GPU_JAR);
        Events events = new Events();

        try (StableDiffusionModel m = ModelLoader.load(model, options, events, gpuJarNoCuda)) {
            assertThat(m.info().providers()).containsExactly("cpu");
            assertRuns(m);
        }
        assertThat(events.failed).containsExactly(
                "tensorrt text_encoder ORT_FAIL -> cuda",
                "cuda text_encoder ORT_FAIL -> cpu");
        assertThat(events.selected.get(0).failures()).extracting(ProviderFailure::message)
                .anySatisfy(msg -> assertThat(msg).contains("libcublas.so.12"));
    }

    @Test
    void strictFailsOnTheFirstUnusableProviderNamingItAndTheOrtError() {
        FakeArtifact cpuJar = new FakeArtifact()
                .failing(ExecutionProvider.TENSORRT, OrtErrorCode.ORT_EP_FAIL, TRT_CPU_JAR)
                .failing(ExecutionProvider.CUDA, OrtErrorCode.ORT_EP_FAIL, CUDA_CPU_JAR);
        Events events = new Events();

        assertThatThrownBy(() -> ModelLoader.load(model, options.withProviders(options.providers(), true), events, cpuJar))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("execution provider 'tensorrt' is not usable")
                .hasMessageContaining("strict")
                .hasMessageContaining("ORT_EP_FAIL " + TRT_CPU_JAR);
        assertThat(cpuJar.calls).containsExactly(ExecutionProvider.TENSORRT);
        assertThat(events.failed).containsExactly("tensorrt text_encoder ORT_EP_FAIL -> null");
        assertThat(events.selected).isEmpty();
    }

    @Test
    void withoutCpuInTheListAGpuLessHostFailsListingEveryReason() {
        FakeArtifact gpuJarNoCuda = new FakeArtifact()
                .failing(ExecutionProvider.TENSORRT, OrtErrorCode.ORT_FAIL, TRT_GPU_JAR)
                .failing(ExecutionProvider.CUDA, OrtErrorCode.ORT_FAIL, CUDA_GPU_JAR);

        assertThatThrownBy(() -> ModelLoader.load(model, options.withProviders(List.of("tensorrt", "cuda"), false),
                LoadListener.NONE, gpuJarNoCuda))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("none of the configured execution providers [tensorrt, cuda] is usable")
                .hasMessageContaining("tensorrt (text_encoder): ORT_FAIL " + TRT_GPU_JAR)
                .hasMessageContaining("cuda (text_encoder): ORT_FAIL " + CUDA_GPU_JAR);
    }

    @Test
    void aSessionTheProviderCannotCreateDropsItAndReloadsEveryNetworkWithTheNext() {
        FakeArtifact host = new FakeArtifact().failing(ExecutionProvider.CUDA, OrtErrorCode.ORT_EP_FAIL, CUDA_CPU_JAR);
        // TensorRT is accepted, but the UNet's session cannot be created with it (e.g. its engine does not build).
        host.tensorRtSessionFails = s -> s.getOrDefault("trt_profile_min_shapes", "").startsWith("sample:");
        Events events = new Events();

        try (StableDiffusionModel m = ModelLoader.load(model, options, events, host)) {
            assertThat(m.info().providers()).containsExactly("cpu");
            assertRuns(m);
        }
        // CUDA cannot even be added (dropped first, TensorRT still leads), then TensorRT fails at the UNet.
        assertThat(events.failed).hasSize(2);
        assertThat(events.failed.get(0)).isEqualTo("cuda text_encoder ORT_EP_FAIL -> tensorrt");
        assertThat(events.failed.get(1)).startsWith("tensorrt unet ORT_").endsWith("-> cpu");
        // The text encoder opened under TensorRT was closed and opened again with the CPU.
        assertThat(events.loaded).containsExactly("1/5 scheduler", "2/5 tokenizer", "3/5 text_encoder",
                "3/5 text_encoder", "4/5 unet", "5/5 vae_decoder");
    }

    @Test
    void tensorRtReceivesEachNetworksProfileAndTheConfiguredSettings() {
        FakeArtifact host = new FakeArtifact().failing(ExecutionProvider.CUDA, OrtErrorCode.ORT_EP_FAIL, CUDA_CPU_JAR);
        Events events = new Events();
        // TensorRT "works" here (the fake adds nothing, ORT runs the CPU), CUDA does not: chain tensorrt > cpu.
        try (StableDiffusionModel m = ModelLoader.load(model, options, events, host)) {
            assertThat(m.info().providers()).containsExactly("tensorrt", "cpu");
        }
        // Max batch 2: 1..4 text/UNet rows (opt 2), 1..2 VAE rows (opt 1); sizes 64..1024 → latents 8..128 (opt 64).
        List<String> minShapes = host.tensorRtSettings.stream().map(s -> s.get("trt_profile_min_shapes")).toList();
        List<String> maxShapes = host.tensorRtSettings.stream().map(s -> s.get("trt_profile_max_shapes")).toList();
        assertThat(minShapes).endsWith("input_ids:1x77", "sample:1x4x8x8,encoder_hidden_states:1x77x32",
                "latent_sample:1x4x8x8");
        assertThat(maxShapes).endsWith("input_ids:4x77", "sample:4x4x128x128,encoder_hidden_states:4x77x32",
                "latent_sample:2x4x128x128");
        assertThat(host.tensorRtSettings).allSatisfy(s -> assertThat(s)
                .containsEntry("device_id", "0")
                .containsEntry("trt_fp16_enable", "1")
                .containsEntry("trt_engine_cache_path", temp.resolve("trt/engines").toString())
                .containsEntry("trt_timing_cache_path", temp.resolve("trt/timing").toString())
                .containsEntry("trt_max_workspace_size", Long.toString(1L << 30)));
        assertThat(host.cudaSettings.get(0)).containsEntry("cudnn_conv_algo_search", "HEURISTIC")
                .containsEntry("arena_extend_strategy", "kSameAsRequested");
    }

    /** On this machine's default build: the real CPU jar, no fakes. */
    private static void assumeCpuJar() {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "built against onnxruntime_gpu: the GPU jar fails differently (ORT_FAIL) or works on a GPU host");
    }

    @Test
    void realCpuJarEndsOnCpuAndNeverCreatesTheTensorRtCaches() {
        assumeCpuJar();
        Events events = new Events();

        try (StableDiffusionModel m = ModelLoader.load(model, options, events)) {
            assertThat(m.info().providers()).containsExactly("cpu");
            assertRuns(m);
        }
        assertThat(events.selected.get(0).failures()).extracting(ProviderFailure::describe).containsExactly(
                "tensorrt (text_encoder): ORT_EP_FAIL " + TRT_CPU_JAR,
                "cuda (text_encoder): ORT_EP_FAIL " + CUDA_CPU_JAR);
        assertThat(Files.exists(temp.resolve("trt"))).as("TensorRT cache folder").isFalse();
    }

    @Test
    void realCpuJarStrictFailsWithTheProviderAndOrtError() {
        assumeCpuJar();
        assertThatThrownBy(() -> ModelLoader.load(model, options.withProviders(List.of("tensorrt", "cpu"), true),
                LoadListener.NONE))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("execution provider 'tensorrt' is not usable and strict provider selection forbids falling"
                        + " back: tensorrt (text_encoder): ORT_EP_FAIL " + TRT_CPU_JAR);
    }

    /**
     * Built with {@code -Pgpu} on a host without CUDA: the real GPU jar lists CUDA and TensorRT as available, yet
     * both fail to load their libraries (ORT_FAIL) and the worker ends on the CPU. Skipped where a GPU works.
     */
    @Test
    void realGpuJarWithoutCudaEndsOnCpuWithOrtFail() {
        assumeTrue(
                OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "built against the CPU jar");
        Events events = new Events();

        try (StableDiffusionModel m = ModelLoader.load(model, options, events)) {
            assumeTrue(m.info().providers().get(0).equals("cpu"),
                    "a GPU provider works on this host");
            assertRuns(m);
        }
        assertThat(events.selected.get(0).failures()).extracting(ProviderFailure::provider, ProviderFailure::code)
                .containsExactly(tuple(ExecutionProvider.TENSORRT, "ORT_FAIL"),
                        tuple(ExecutionProvider.CUDA, "ORT_FAIL"));
        assertThat(events.selected.get(0).failures()).extracting(ProviderFailure::message)
                .allSatisfy(msg -> assertThat(msg).contains("Failed to load"));
    }

    @Test
    void anUnknownProviderNameFailsBeforeAnythingLoads() {
        Events events = new Events();
        assertThatThrownBy(() -> ModelLoader.load(model, options.withProviders(List.of("npu", "cpu"), false), events))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("unknown execution provider 'npu' (known: tensorrt, cuda, cpu)");
        assertThat(events.loaded).isEmpty();
    }
}
