package dev.sdqueue.worker.generator;

import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.pipeline.DecodedGeneration;
import dev.sdqueue.pipeline.DecodedImage;
import dev.sdqueue.pipeline.GenerationParams;
import dev.sdqueue.pipeline.PipelineException;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.StableDiffusionPipeline;
import dev.sdqueue.worker.job.ImageGenerator;
import dev.sdqueue.pipeline.StageTimings;
import dev.sdqueue.pipeline.StepControl;
import dev.sdqueue.pipeline.LoadListener;
import dev.sdqueue.pipeline.ProviderFailure;
import dev.sdqueue.pipeline.ProviderSelection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The Stable Diffusion pipeline as a job sees it. Loaded and warmed up while Quarkus starts, before Reactive
 * Messaging connects to Kafka (see the app package's {@code ModelStartup}), so a cold worker never joins the consumer
 * group or holds partitions.
 */
public final class PipelineImageGenerator implements LoadableGenerator {
    private static final Logger LOG = Logger.getLogger(PipelineImageGenerator.class);
    /** Prometheus: sdq_worker_execution_provider{provider="..."} = 1 for the active provider, 0 for the others. */
    static final String PROVIDER_METRIC = "sdq.worker.execution.provider";
    /** Prometheus: sdq_worker_model_busy_seconds_total. */
    static final String MODEL_BUSY_METRIC = "sdq.worker.model.busy";
    /** At shutdown, how long closing the sessions waits for a generation still inside a model call. */
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final WorkerConfig.Model model;
    private final WorkerConfig.Pipeline options;
    private final WorkerConfig.Limits limits;
    private final WorkerConfig.Defaults defaults;
    private final ModelReadiness readiness;
    private final MeterRegistry registry;
    /** Model time, counted per denoising step so that two scrapes give the duty cycle to within one step. */
    private final Counter modelBusy;
    private volatile StableDiffusionPipeline pipeline;
    /** Held while generating: the sessions are never closed under a running job (e.g. one abandoned at shutdown). */
    private final ReentrantLock inUse = new ReentrantLock();

    public PipelineImageGenerator(WorkerConfig.Model model, WorkerConfig.Pipeline options, WorkerConfig.Limits limits,
                                  WorkerConfig.Defaults defaults, ModelReadiness readiness,
                                  MeterRegistry registry) {
        this.model = model;
        this.options = options;
        this.limits = limits;
        this.defaults = defaults;
        this.readiness = readiness;
        this.registry = registry;
        this.modelBusy = Counter.builder(MODEL_BUSY_METRIC).baseUnit("seconds")
                .description("time in the networks: text encoder, each denoising step, VAE decoder").register(registry);
    }

    @Override
    public void load() throws Exception {
        PipelineOptions pipelineOptions = options.toPipelineOptions(limits, defaults);
        List<WarmUpPlan.Shape> warmUps = WarmUpPlan.of(options.warmupSizes(), options.warmupBatches(),
                defaults.width(), defaults.height(), Math.min(pipelineOptions.maxBatch(), limits.maxImages()));
        registerProviderGauges(pipelineOptions.providers());
        LOG.infof("loading model %s from %s (providers %s%s, max batch %d)", model.name(), model.dir(),
                pipelineOptions.providers(), pipelineOptions.strictProviders() ? ", strict" : "",
                pipelineOptions.maxBatch());
        readiness.loading();
        StableDiffusionPipeline loaded = StableDiffusionPipeline.load(model.dir(), pipelineOptions, new LoadProgress());
        try {
            warmUp(loaded, warmUps);
        } catch (Exception e) {
            loaded.close();
            throw e;
        }
        pipeline = loaded;
        readiness.ready(provider());
    }

    /** One gauge per configured provider, reading the loaded pipeline's active provider. */
    private void registerProviderGauges(List<String> configured) {
        for (String name : configured) {
            Gauge.builder(PROVIDER_METRIC, this, g -> g.provider().equals(name) ? 1 : 0)
                    .tag("provider", name)
                    .description("1 for the execution provider the model runs on, 0 for the other configured ones")
                    .register(registry);
        }
    }

    /** Model load progress in the log: each network, and each provider that did not work. */
    private static final class LoadProgress implements LoadListener {
        @Override
        public void loaded(String component, int index, int total, Duration took) {
            LOG.infof("model load %d/%d: %s in %d ms", index, total, component, took.toMillis());
        }

        @Override
        public void providerFailed(ProviderFailure failure, String next) {
            if (next == null) {
                LOG.errorf("execution provider not usable: %s", failure.describe());
            } else {
                LOG.warnf("execution provider not usable, trying %s next: %s", next, failure.describe());
            }
        }

        @Override
        public void providersSelected(ProviderSelection selection) {
            LOG.infof("execution provider: %s", selection.describe());
        }
    }

    /**
     * One short run per configured shape before the first real job: touches every session at every size and
     * batch (with TensorRT the engines are built at load, and the first runs still pick tactics).
     */
    private void warmUp(StableDiffusionPipeline loaded, List<WarmUpPlan.Shape> shapes) throws PipelineException {
        long all = System.nanoTime();
        int i = 0;
        for (WarmUpPlan.Shape shape : shapes) {
            i++;
            LOG.infof("warm-up %d/%d %s ...", i, shapes.size(), shape);
            long start = System.nanoTime();
            loaded.generate(new GenerationParams("warm-up", "", shape.width(), shape.height(), options.warmupSteps(),
                    7.5, 0L, null, shape.images()), (step, total, took) -> LOG.debugf("warm-up step %d/%d", step, total));
            LOG.infof("warm-up %d/%d %s done in %d ms", i, shapes.size(), shape, (System.nanoTime() - start) / 1_000_000);
        }
        LOG.infof("warm-up of %d shapes done in %d ms", shapes.size(), (System.nanoTime() - all) / 1_000_000);
    }

    @Override
    public Output generate(Input input, StepProgress progress) throws GenerationException {
        inUse.lock();
        try {
            return generateLocked(input, progress);
        } finally {
            inUse.unlock();
        }
    }

    private Output generateLocked(Input input, StepProgress progress) throws GenerationException {
        StableDiffusionPipeline loaded = pipeline;
        if (loaded == null) {
            throw new GenerationException("model_not_loaded", true, "the model is not loaded", null);
        }
        try {
            GenerationParams params = new GenerationParams(input.prompt(), input.negativePrompt(), input.width(),
                    input.height(), input.steps(), input.guidanceScale(), input.seed(), input.scheduler(),
                    input.numImages());
            StepControl steps = (step, total, took) -> {
                modelBusy.increment(took.toNanos() / 1e9);
                return progress.onStep(step, total) == StepDecision.STOP ? StepControl.Continuation.STOP
                        : StepControl.Continuation.CONTINUE;
            };
            DecodedGeneration result = loaded.generateDecoded(params, steps);
            StageTimings t = result.timings();
            modelBusy.increment((t.textEncoder().toNanos() + t.vaeDecode().toNanos()) / 1e9);
            if (result.stopped()) {
                return Output.stoppedRun(t);
            }
            List<Image> images = new ArrayList<>();
            for (DecodedImage image : result.images()) {
                // Encoded by the caller, off this thread: the model is free for the next job meanwhile.
                images.add(new Image(image::encodePng, image.width(), image.height(), image.seed()));
            }
            String truncated = result.truncatedPrompt().isEmpty() ? null : result.truncatedPrompt();
            return new Output(images, t, truncated, false);
        } catch (PipelineException e) {
            throw new GenerationException(e.reason(), e.retriable(), e.getMessage(), e);
        }
    }

    @Override
    public List<String> supportedSchedulers() {
        return StableDiffusionPipeline.schedulerNames();
    }

    @Override
    public String provider() {
        StableDiffusionPipeline loaded = pipeline;
        return loaded == null ? "none" : loaded.info().providers().get(0);
    }

    @Override
    public void close() {
        boolean locked = false;
        try {
            locked = inUse.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            // Closing a session under a running call would crash natively; the process exit frees it instead.
            LOG.warn("a generation is still running: the model sessions are left to the process exit");
            return;
        }
        try {
            StableDiffusionPipeline loaded = pipeline;
            pipeline = null;
            if (loaded != null) {
                loaded.close();
            }
        } finally {
            inUse.unlock();
        }
    }
}
