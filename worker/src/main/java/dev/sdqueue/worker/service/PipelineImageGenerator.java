package dev.sdqueue.worker.service;

import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.pipeline.GeneratedImage;
import dev.sdqueue.worker.pipeline.GenerationParams;
import dev.sdqueue.worker.pipeline.GenerationResult;
import dev.sdqueue.worker.pipeline.PipelineException;
import dev.sdqueue.worker.pipeline.PipelineOptions;
import dev.sdqueue.worker.pipeline.StableDiffusionPipeline;
import dev.sdqueue.worker.pipeline.scheduler.Schedulers;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import org.eclipse.microprofile.health.Readiness;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The loaded Stable Diffusion pipeline, as the job handler sees it. The model is loaded and warmed up while Quarkus
 * starts, before Reactive Messaging connects to Kafka (its startup observer runs at priority 1000, this one earlier),
 * so a cold worker never joins the consumer group or holds partitions.
 */
@Singleton
public final class PipelineImageGenerator implements ImageGenerator {
    private static final Logger LOG = Logger.getLogger(PipelineImageGenerator.class);

    private final WorkerConfig.Model model;
    private final WorkerConfig.Pipeline options;
    private final WorkerConfig.Defaults defaults;
    private final ModelReadiness readiness;
    private volatile StableDiffusionPipeline pipeline;

    public PipelineImageGenerator(WorkerConfig.Model model, WorkerConfig.Pipeline options,
                                  WorkerConfig.Defaults defaults, @Readiness ModelReadiness readiness) {
        this.model = model;
        this.options = options;
        this.defaults = defaults;
        this.readiness = readiness;
    }

    void loadBeforeConsuming(@Observes @Priority(500) StartupEvent startup) throws Exception {
        LOG.infof("loading model %s from %s (providers %s)", model.name(), model.dir(),
                options.providers());
        readiness.loading();
        StableDiffusionPipeline loaded = StableDiffusionPipeline.load(model.dir(),
                new PipelineOptions(options.providers(), options.intraOpThreads()),
                (component, index, total, took) -> LOG.infof("model load %d/%d: %s in %d ms", index, total,
                        component, took.toMillis()));
        try {
            warmUp(loaded);
        } catch (Exception e) {
            loaded.close();
            throw e;
        }
        pipeline = loaded;
        readiness.ready(loaded.info().providers().get(0));
    }

    /** One short run per configured size touches every session and shape before the first real job. */
    private void warmUp(StableDiffusionPipeline loaded) throws PipelineException {
        List<int[]> sizes = new ArrayList<>();
        for (String size : options.warmupSizes().orElse(List.of())) {
            String[] wh = size.toLowerCase().split("x");
            sizes.add(new int[] {Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim())});
        }
        if (sizes.isEmpty()) {
            sizes.add(new int[] {defaults.width(), defaults.height()});
        }
        for (int[] size : sizes) {
            long start = System.nanoTime();
            loaded.generate(new GenerationParams("warm-up", "", size[0], size[1], options.warmupSteps(), 7.5, 0L,
                    null, 1), (step, total, took) -> LOG.debugf("warm-up step %d/%d", step, total));
            LOG.infof("warm-up %dx%d done in %d ms", size[0], size[1], (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Override
    public Output generate(Input input, StepProgress progress) throws GenerationException {
        StableDiffusionPipeline loaded = pipeline;
        if (loaded == null) {
            throw new GenerationException("model_not_loaded", true, "the model is not loaded", null);
        }
        try {
            GenerationResult result = loaded.generate(new GenerationParams(input.prompt(), input.negativePrompt(),
                    input.width(), input.height(), input.steps(), input.guidanceScale(), input.seed(),
                    input.scheduler(), input.numImages()), (step, total, took) -> progress.onStep(step, total));
            List<Image> images = new ArrayList<>();
            for (GeneratedImage image : result.images()) {
                images.add(new Image(image.png(), image.width(), image.height(), image.seed()));
            }
            String truncated = result.truncatedPrompt().isEmpty() ? null : result.truncatedPrompt();
            return new Output(images, result.timings().toMillis(), truncated);
        } catch (PipelineException e) {
            throw new GenerationException(e.reason(), e.retriable(), e.getMessage(), e);
        }
    }

    @Override
    public List<String> supportedSchedulers() {
        return Schedulers.names();
    }

    @Override
    public String provider() {
        StableDiffusionPipeline loaded = pipeline;
        return loaded == null ? "none" : loaded.info().providers().get(0);
    }

    @PreDestroy
    void close() {
        StableDiffusionPipeline loaded = pipeline;
        pipeline = null;
        if (loaded != null) {
            loaded.close();
        }
    }
}
