package dev.sdqueue.worker.generator;

import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.CudaSettings;
import dev.sdqueue.pipeline.ImageSizeRange;
import dev.sdqueue.pipeline.ShapeProfile;
import dev.sdqueue.pipeline.TensorRtSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The worker side of execution providers: {@code sdq.pipeline.*} to pipeline options, the model loaded with
 * {@code tensorrt,cuda,cpu} on this GPU-less host (real ORT CPU jar), the provider metric, and the warm-up of
 * every configured shape before readiness.
 */
class PipelineImageGeneratorTest {

    @TempDir
    Path temp;
    private final List<String> log = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            log.add(r instanceof ExtLogRecord e ? e.getFormattedMessage() : r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger logger = Logger.getLogger(PipelineImageGenerator.class.getName());

    @BeforeEach
    void captureLog() {
        logger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        logger.removeHandler(capture);
    }

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 400))
                .withMapping(WorkerConfig.Model.class).withMapping(WorkerConfig.Pipeline.class)
                .withMapping(WorkerConfig.Limits.class).withMapping(WorkerConfig.Defaults.class).build();
    }

    private static PipelineOptions options(SmallRyeConfig c) {
        return c.getConfigMapping(WorkerConfig.Pipeline.class).toPipelineOptions(
                c.getConfigMapping(WorkerConfig.Limits.class), c.getConfigMapping(WorkerConfig.Defaults.class));
    }

    @Test
    void unsetKeysGiveTheDocumentedDefaults() {
        PipelineOptions o = options(config(Map.of()));

        assertThat(o.providers()).containsExactly("cpu");
        assertThat(o.strictProviders()).isFalse();
        assertThat(o.maxBatch()).isEqualTo(4);
        assertThat(o.tensorRt()).isEqualTo(TensorRtSettings.DEFAULT);
        assertThat(o.cuda()).isEqualTo(CudaSettings.DEFAULT);
    }

    @Test
    void everyProviderKeyReachesTheProviderOptions() {
        Map<String, String> p = new HashMap<>();
        p.put("sdq.pipeline.providers", "TensorRT, cuda,cpu");
        p.put("sdq.pipeline.strict-providers", "true");
        p.put("sdq.pipeline.max-batch", "3");
        p.put("sdq.pipeline.tensorrt.fp16", "false");
        p.put("sdq.pipeline.tensorrt.engine-cache-dir", "/mnt/cache/engines");
        p.put("sdq.pipeline.tensorrt.timing-cache-dir", "/mnt/cache/timing");
        p.put("sdq.pipeline.tensorrt.builder-optimization-level", "5");
        p.put("sdq.pipeline.tensorrt.max-workspace-size", "2147483648");
        p.put("sdq.pipeline.cuda.device-id", "1");
        p.put("sdq.pipeline.cuda.cudnn-conv-algo-search", "HEURISTIC");
        p.put("sdq.pipeline.cuda.arena-extend-strategy", "kSameAsRequested");
        p.put("sdq.pipeline.cuda.gpu-mem-limit", "1000000000");
        p.put("sdq.limits.min-size", "256");
        p.put("sdq.limits.max-width", "768");
        p.put("sdq.limits.max-height", "1024");
        p.put("sdq.defaults.width", "640");
        p.put("sdq.defaults.height", "512");

        PipelineOptions o = options(config(p));

        assertThat(o.providers()).containsExactly("tensorrt", "cuda", "cpu");
        assertThat(o.strictProviders()).isTrue();
        assertThat(o.maxBatch()).isEqualTo(3);
        assertThat(o.tensorRt().profileSizes()).isEqualTo(new ImageSizeRange(256, 256, 640, 512, 768, 1024));
        assertThat(o.tensorRt().toProviderOptions(o.cuda().deviceId(), ShapeProfile.EMPTY))
                .containsEntry("device_id", "1")
                .containsEntry("trt_fp16_enable", "0")
                .containsEntry("trt_engine_cache_path", "/mnt/cache/engines")
                .containsEntry("trt_timing_cache_path", "/mnt/cache/timing")
                .containsEntry("trt_builder_optimization_level", "5")
                .containsEntry("trt_max_workspace_size", "2147483648");
        assertThat(o.cuda().toProviderOptions()).containsEntry("device_id", "1")
                .containsEntry("cudnn_conv_algo_search", "HEURISTIC")
                .containsEntry("arena_extend_strategy", "kSameAsRequested")
                .containsEntry("gpu_mem_limit", "1000000000");
    }

    @Test
    void profileSizesAreTheSizesRequestsCanHave() {
        // Only min-size must be a multiple of 8; with max-width 1004 a request is at most 1000 wide.
        PipelineOptions o = options(config(Map.of("sdq.limits.max-width", "1004", "sdq.limits.max-height", "700",
                "sdq.defaults.width", "768", "sdq.defaults.height", "768")));
        assertThat(o.tensorRt().profileSizes()).isEqualTo(new ImageSizeRange(64, 64, 768, 696, 1000, 696));
    }

    private Map<String, String> workerOnThisHost(Path model) {
        Map<String, String> p = new HashMap<>();
        p.put("sdq.model.dir", model.toString());
        p.put("sdq.pipeline.providers", "tensorrt,cuda,cpu");
        p.put("sdq.pipeline.tensorrt.engine-cache-dir", temp.resolve("trt/engines").toString());
        p.put("sdq.pipeline.tensorrt.timing-cache-dir", temp.resolve("trt/timing").toString());
        p.put("sdq.pipeline.max-batch", "2");
        p.put("sdq.pipeline.warmup-sizes", "64x64,128x64");
        p.put("sdq.pipeline.warmup-steps", "1");
        return p;
    }

    private static PipelineImageGenerator generator(SmallRyeConfig c, ModelReadiness readiness, SimpleMeterRegistry r) {
        return new PipelineImageGenerator(c.getConfigMapping(WorkerConfig.Model.class),
                c.getConfigMapping(WorkerConfig.Pipeline.class), c.getConfigMapping(WorkerConfig.Limits.class),
                c.getConfigMapping(WorkerConfig.Defaults.class), readiness, r);
    }

    private static double gauge(SimpleMeterRegistry r, String provider) {
        Gauge g = r.find(PipelineImageGenerator.PROVIDER_METRIC).tag("provider", provider).gauge();
        assertThat(g).as("gauge for " + provider).isNotNull();
        return g.value();
    }

    @Test
    void fallsBackToCpuHereExportsItAndWarmsEveryShapeBeforeReady() throws Exception {
        Path model = temp.resolve("tiny-random");
        TinyRandomModel.write(model);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ModelReadiness readiness = new ModelReadiness();
        PipelineImageGenerator generator = generator(config(workerOnThisHost(model)), readiness, registry);
        try {
            generator.load();

            assertThat(generator.provider()).isEqualTo("cpu");
            assertThat(gauge(registry, "cpu")).isEqualTo(1.0);
            assertThat(gauge(registry, "tensorrt")).isEqualTo(0.0);
            assertThat(gauge(registry, "cuda")).isEqualTo(0.0);
            HealthCheckResponse health = readiness.call();
            assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
            assertThat(health.getData()).hasValueSatisfying(d -> assertThat(d).containsEntry("provider", "cpu"));

            // CPU jar: ORT_EP_FAIL "Failed to find ..."; GPU jar (-Pgpu) without CUDA: ORT_FAIL "Failed to load library ...".
            assertThat(log).anySatisfy(l -> assertThat(l).matches("execution provider not usable, trying cuda next: "
                    + "tensorrt \\(text_encoder\\): (ORT_EP_FAIL Failed to find TensorRT shared provider|ORT_FAIL .*Failed to load.*)"));
            assertThat(log).anySatisfy(l -> assertThat(l).startsWith("execution provider: cpu (not usable: tensorrt"));
            // Every size at every batch 1..max-batch, in order, before readiness.
            assertThat(log.stream().filter(l -> l.startsWith("warm-up ") && l.endsWith("...")).toList()).containsExactly(
                    "warm-up 1/4 64x64 batch 1 ...", "warm-up 2/4 64x64 batch 2 ...",
                    "warm-up 3/4 128x64 batch 1 ...", "warm-up 4/4 128x64 batch 2 ...");
            assertThat(Files.exists(temp.resolve("trt"))).as("TensorRT caches are not created without TensorRT").isFalse();
        } finally {
            generator.close();
        }
    }

    @Test
    void strictProvidersFailTheStartupNamingTheProvider() throws IOException {
        Path model = temp.resolve("tiny-random");
        TinyRandomModel.write(model);
        Map<String, String> p = workerOnThisHost(model);
        p.put("sdq.pipeline.strict-providers", "true");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ModelReadiness readiness = new ModelReadiness();
        PipelineImageGenerator generator = generator(config(p), readiness, registry);

        assertThatThrownBy(() -> generator.load()).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("execution provider 'tensorrt' is not usable")
                .hasMessageMatching("(?s).*tensorrt \\(text_encoder\\): (ORT_EP_FAIL Failed to find TensorRT shared provider"
                        + "|ORT_FAIL .*Failed to load).*");
        assertThat(readiness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(generator.provider()).isEqualTo("none");
        assertThat(gauge(registry, "cpu")).isEqualTo(0.0);
    }
}
