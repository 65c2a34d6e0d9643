package dev.sdqueue.worker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything the worker can be told, declared once and typed. Keys are {@code sdq.*}. */
@ConfigMapping(prefix = "sdq")
public interface WorkerConfig {

    Model model();

    Pipeline pipeline();

    Storage storage();

    Worker worker();

    Limits limits();

    interface Model {
        /** A folder in the diffusers/Optimum ONNX layout. */
        @WithDefault("models/target/tiny-random")
        Path dir();

        /** The name requests use for this model; a request naming another model is refused. */
        @WithDefault("tiny-random")
        String name();
    }

    interface Pipeline {
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

    interface Storage {
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

    interface Worker {
        /** Names this worker in events and logs; defaults to host name and process id. */
        Optional<String> id();
    }

    /** What a request may ask for; the same keys and defaults as the dispatcher's. */
    interface Limits {
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

        @WithDefault("512")
        int defaultWidth();

        @WithDefault("512")
        int defaultHeight();

        @WithDefault("20")
        int defaultSteps();

        @WithDefault("7.5")
        double defaultGuidanceScale();
    }
}
