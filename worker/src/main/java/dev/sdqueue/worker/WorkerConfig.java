package dev.sdqueue.worker;

import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RetryDelays;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.CudaSettings;
import dev.sdqueue.pipeline.ImageSizeRange;
import dev.sdqueue.pipeline.TensorRtSettings;
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
        /** Execution providers in order of preference (tensorrt, cuda, cpu); the first that works wins. */
        @WithDefault("cpu")
        List<String> providers();

        /** Fail at startup if a configured provider is not usable, instead of falling back to the next. */
        @WithDefault("false")
        boolean strictProviders();

        /** ONNX Runtime intra-op threads; 0 lets ORT choose (one per core). */
        @WithDefault("0")
        int intraOpThreads();

        /** Most images denoised together in one UNet call (two batch rows each with guidance). */
        @WithDefault("4")
        int maxBatch();

        /** Sizes (WxH) warmed up before consuming; empty = the default size only. */
        Optional<List<String>> warmupSizes();

        /** Images per warm-up run, each warmed at every warm-up size; empty = 1..max-batch. */
        Optional<List<Integer>> warmupBatches();

        /** Steps of the warm-up run: enough to touch every session once. */
        @WithDefault("2")
        int warmupSteps();

        /** Publish a progress event every N denoising steps (the last step always). */
        @WithDefault("1")
        int progressEvery();

        /**
         * At most one progress event per job in this time (the last step always has one). Each event is a produce
         * request and broker work: per step on a fast GPU that is tens of events per second per worker, for a
         * progress bar that cannot show them.
         */
        @WithDefault("PT0.5S")
        Duration progressInterval();

        TensorRt tensorrt();

        Cuda cuda();

        /** {@code sdq.pipeline.tensorrt.*}: used only when {@code tensorrt} is among the providers. */
        interface TensorRt {
            @WithDefault("true")
            boolean fp16();

            /** Built engines; on a persistent volume, or every start rebuilds them (minutes per network). */
            @WithDefault("/var/cache/sdq/tensorrt/engines")
            Path engineCacheDir();

            /** TensorRT's timing cache (speeds up building engines on the same GPU model). */
            @WithDefault("/var/cache/sdq/tensorrt/timing")
            Path timingCacheDir();

            /** 0..5: higher builds longer for faster engines. */
            @WithDefault("3")
            int builderOptimizationLevel();

            /** Bytes of scratch memory TensorRT may use (4 GiB). */
            @WithDefault("4294967296")
            long maxWorkspaceSize();
        }

        /** {@code sdq.pipeline.cuda.*}: used when {@code cuda} or {@code tensorrt} is among the providers. */
        interface Cuda {
            /** The GPU this worker uses (TensorRT too). */
            @WithDefault("0")
            int deviceId();

            /** EXHAUSTIVE, HEURISTIC or DEFAULT. */
            @WithDefault("EXHAUSTIVE")
            String cudnnConvAlgoSearch();

            /** kNextPowerOfTwo or kSameAsRequested. */
            @WithDefault("kNextPowerOfTwo")
            String arenaExtendStrategy();

            /** Bytes the CUDA memory arena may hold; 0 = no limit. */
            @WithDefault("0")
            long gpuMemLimit();
        }

        /**
         * The pipeline's options. TensorRT's engines cover the sizes requests may ask for ({@code limits}: min-size
         * up to max-width x max-height) and are tuned for the default size; their batch axis goes up to max-batch.
         */
        default PipelineOptions toPipelineOptions(Limits limits, Defaults defaults) {
            // Requests are multiples of 8, so the largest allowed size is the limit rounded down to one.
            int min = limits.minSize();
            int maxWidth = Math.max(min, limits.maxWidth() / 8 * 8);
            int maxHeight = Math.max(min, limits.maxHeight() / 8 * 8);
            ImageSizeRange sizes = new ImageSizeRange(min, min,
                    Math.max(min, Math.min(defaults.width() / 8 * 8, maxWidth)),
                    Math.max(min, Math.min(defaults.height() / 8 * 8, maxHeight)), maxWidth, maxHeight);
            TensorRt t = tensorrt();
            Cuda c = cuda();
            return new PipelineOptions(providers(), intraOpThreads(), maxBatch(), strictProviders(),
                    new TensorRtSettings(t.fp16(), t.engineCacheDir(), t.timingCacheDir(), t.builderOptimizationLevel(),
                            t.maxWorkspaceSize(), sizes),
                    new CudaSettings(c.deviceId(), c.cudnnConvAlgoSearch(), c.arenaExtendStrategy(), c.gpuMemLimit()));
        }
    }

    /**
     * {@code sdq.storage.*}. The endpoint and the credentials have no default: a worker started without them fails
     * at startup naming the missing key, instead of writing to whatever answers on localhost with development
     * credentials. Only Quarkus' dev profile ({@code mvn quarkus:dev}) sets the local stack's; {@code ./sdq} and the
     * tests pass their stack's explicitly.
     */
    @ConfigMapping(prefix = "sdq.storage")
    public interface Storage {
        /** e.g. {@code https://s3.eu-west-1.amazonaws.com}, or a MinIO/S3-compatible server's URL. */
        String endpoint();

        @WithDefault("us-east-1")
        String region();

        String accessKey();

        String secretKey();

        @WithDefault("sdq-images")
        String bucket();

        /**
         * Lifetime of the presigned GET links in {@code completed} events: at most 7 days (S3's limit) and at most
         * {@code sdq.status.ttl}, so a link never outlives its image (checked at startup).
         */
        @WithDefault("PT24H")
        Duration urlExpiry();

        /**
         * The bucket lifecycle rule that expires {@code generations/} after {@code sdq.status.ttl} (rounded up to
         * days): {@code apply} writes it at startup (keeping the bucket's other rules), {@code verify} only checks
         * that some rule expires those objects within that many days (for deployments whose rules are managed
         * elsewhere, e.g. Terraform), {@code off} neither (images are then never deleted: logged at startup).
         */
        @WithDefault("apply")
        Lifecycle lifecycle();

        /** Most time the startup waits for S3 to answer (bucket and lifecycle rule), else the worker does not start. */
        @WithDefault("PT2M")
        Duration startupTimeout();

        enum Lifecycle {
            APPLY, VERIFY, OFF
        }

        /**
         * Connect, read and write timeout of each S3 call. A hung S3 server then fails the upload as a transient
         * error (retried through the retry topics) instead of holding the worker for the client's default 5 min.
         */
        @WithDefault("PT30S")
        Duration timeout();
    }

    /** {@code sdq.status.*}: shared with the dispatcher, whose status store deletes a job's status after the TTL. */
    @ConfigMapping(prefix = "sdq.status")
    public interface Status {
        /** How long a job's status is kept; its images are deleted by the bucket lifecycle rule after as long. */
        @WithDefault("P7D")
        Duration ttl();
    }

    @ConfigMapping(prefix = "sdq.worker")
    public interface Worker {
        /** Names this worker in events and logs; defaults to host name and process id. */
        Optional<String> id();

        /**
         * On SIGTERM: how long the job in flight may still take. It is finished and acknowledged within this time,
         * or abandoned unacknowledged (redelivered to another worker). Keep the pod's termination grace above it.
         */
        @WithDefault("PT60S")
        Duration shutdownGrace();

        /**
         * A job running longer is stopped at its next denoising step and retried ({@code timeout}, transient);
         * liveness turns DOWN if one still runs at twice this (stuck inside a single model call or upload).
         */
        @WithDefault("PT10M")
        Duration maxJobDuration();

        /** A request record larger than this is dead-lettered as {@code too_large} (a real one is a few KB). */
        @WithDefault("262144")
        int maxRequestBytes();

        /** Wait between attempts of a step that must happen before a record is acknowledged (DLQ, final event). */
        @WithDefault("PT2S")
        Duration retryBackoff();

        /**
         * How many jobs may be finishing (PNG encoding, upload, {@code completed}, acknowledgement) on a separate
         * thread while the model already runs the next one. 0 finishes each job on the model's thread before taking
         * the next (no overlap). When that many are still finishing, the model waits (storage slower than the model).
         */
        @WithDefault("2")
        int finishingJobs();

        Idempotency idempotency();

        /** Most time the startup waits for the request, retry and event topics to exist (then it fails). */
        @WithDefault("PT2M")
        Duration topicsTimeout();

        /**
         * {@code sdq.worker.idempotency.*}: the terminal-state index, which reads the events partition of each job
         * this worker receives from the record's time minus the margin (never the topic's history).
         */
        interface Idempotency {
            /**
             * How long before a record's timestamp its job's terminal events are looked for: covers a second record
             * of the same job id appended shortly after the first (two dispatcher replicas accepting one
             * idempotency key) and clock skew between producers.
             */
            @WithDefault("PT5M")
            Duration margin();

            /**
             * How long terminal events are remembered before the latest time their partition was asked for, and how
             * long a partition no job asked for (revoked) is still read.
             */
            @WithDefault("PT1H")
            Duration retention();

            /** The furthest back a partition is read, whatever a record's timestamp says. */
            @WithDefault("PT24H")
            Duration maxLookback();

            /** Most time a job waits for the index to catch up with the event topic before it may run or finish. */
            @WithDefault("PT30S")
            Duration syncTimeout();
        }
    }

    /**
     * {@code sdq.retry.*}: the retries of a transiently failed job, declared once. The decision table, the request
     * channel's delayed-retry topics ({@link RetryChannelConfig} derives SmallRye's keys from these) and the topics
     * a deployment creates ({@code sdq.generation.requests_retry_<ms>} per delay) all come from here.
     */
    @ConfigMapping(prefix = "sdq.retry")
    public interface Retry {
        /** One retry per delay, in order, e.g. {@code 10s,60s,300s} or {@code 500ms,PT2M}. */
        @WithDefault(RetryDelays.DEFAULT)
        List<Duration> delays();

        /** No retry starts later than this after the first failure (then the job is dead-lettered). */
        @WithDefault(RetryChannelConfig.DEFAULT_TIMEOUT)
        Duration timeout();
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
