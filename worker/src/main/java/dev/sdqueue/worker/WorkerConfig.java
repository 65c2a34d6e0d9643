package dev.sdqueue.worker;

import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the worker can be told, declared once and typed: one mapping per {@code sdq.<group>} prefix, because
 * SmallRye rejects unknown keys under a mapping's prefix and other tools pass {@code -Dsdq.home} and
 * {@code -Dsdq.reference.dir}. {@code sdq.limits.*} and {@code sdq.defaults.*} are the same keys as the
 * dispatcher's, with the contract's defaults ({@code RequestLimits.DEFAULTS}, {@code RequestDefaults.DEFAULTS}).
 */
public final class WorkerConfig {
    private WorkerConfig() {
    }

    @ConfigMapping(prefix = "sdq.model")
    public interface Model {
        /** A folder in the diffusers/Optimum ONNX layout. */
        @WithDefault("models/target/tiny-random")
        Path dir();

        /** The name requests use for this model; a request naming another model is refused. */
        @WithDefault("tiny-random")
        String name();
    }

    @ConfigMapping(prefix = "sdq.pipeline")
    public interface Pipeline {
        /** Execution providers in order of preference; the first that works wins. */
        @WithDefault("cpu")
        List<String> providers();

        /** ONNX Runtime intra-op threads; 0 lets ORT choose (one per core). */
        @WithDefault("0")
        int intraOpThreads();

        /** Sizes (WxH) warmed up before consuming; empty = the default size only. */
        Optional<List<String>> warmupSizes();

        /** Steps of the warm-up run: enough to touch every session once. */
        @WithDefault("2")
        int warmupSteps();

        /** Publish a progress event every N denoising steps (the last step always). */
        @WithDefault("1")
        int progressEvery();
    }

    @ConfigMapping(prefix = "sdq.storage")
    public interface Storage {
        @WithDefault("http://127.0.0.1:9000")
        String endpoint();

        @WithDefault("us-east-1")
        String region();

        @WithDefault("sdqueue")
        String accessKey();

        @WithDefault("sdqueue-secret")
        String secretKey();

        @WithDefault("sdq-images")
        String bucket();

        /** Lifetime of the presigned GET links in {@code completed} events (S3 allows at most 7 days). */
        @WithDefault("PT24H")
        Duration urlExpiry();
    }

    @ConfigMapping(prefix = "sdq.worker")
    public interface Worker {
        /** Names this worker in events and logs; defaults to host name and process id. */
        Optional<String> id();
    }

    /** What a request may ask for. */
    @ConfigMapping(prefix = "sdq.limits")
    public interface Limits {
        @WithDefault("2000")
        int maxPromptLength();

        @WithDefault("64")
        int minSize();

        @WithDefault("1024")
        int maxWidth();

        @WithDefault("1024")
        int maxHeight();

        @WithDefault("1048576")
        long maxPixels();

        @WithDefault("150")
        int maxSteps();

        @WithDefault("0")
        double minGuidance();

        @WithDefault("30")
        double maxGuidance();

        @WithDefault("4")
        int maxImages();

        default RequestLimits toRequestLimits() {
            return new RequestLimits(maxPromptLength(), minSize(), maxWidth(), maxHeight(), maxPixels(), maxSteps(),
                    minGuidance(), maxGuidance(), maxImages());
        }
    }

    /** Values absent request fields take (the scheduler's default is the model's scheduler_config.json). */
    @ConfigMapping(prefix = "sdq.defaults")
    public interface Defaults {
        @WithDefault("512")
        int width();

        @WithDefault("512")
        int height();

        @WithDefault("20")
        int steps();

        @WithDefault("7.5")
        double guidanceScale();

        @WithDefault("1")
        int numImages();

        /** The defaults for {@code model}; no scheduler default: the model's scheduler_config.json decides. */
        default RequestDefaults toRequestDefaults(String model) {
            return new RequestDefaults(width(), height(), steps(), guidanceScale(), numImages(), null, model);
        }
    }
}
