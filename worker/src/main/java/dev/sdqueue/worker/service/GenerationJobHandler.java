package dev.sdqueue.worker.service;

import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.schema.Violation;
import dev.sdqueue.worker.messaging.EventPublisher;
import dev.sdqueue.worker.storage.ImageStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One job from request to terminal event: resolve defaults, validate, run the model, store the images, publish. It
 * knows nothing of Kafka records: the consumer hands it a parsed request and the attempt number.
 */
public final class GenerationJobHandler {
    private static final Logger LOG = Logger.getLogger(GenerationJobHandler.class);
    /** Seeds are reported as JSON integers; keeping them within 2^53 keeps them exact in JavaScript clients too. */
    private static final long MAX_RANDOM_SEED = (1L << 53) - 1;

    private final ImageGenerator generator;
    private final ImageStore store;
    private final EventPublisher events;
    private final RequestValidator validator;
    private final RequestDefaults defaults;
    private final String workerId;
    private final int progressEvery;
    private final Clock clock;
    private final SecureRandom seeds = new SecureRandom();

    public GenerationJobHandler(ImageGenerator generator, ImageStore store, EventPublisher events,
                                RequestValidator validator, RequestDefaults defaults, String workerId,
                                int progressEvery, Clock clock) {
        this.generator = generator;
        this.store = store;
        this.events = events;
        this.validator = validator;
        this.defaults = defaults;
        this.workerId = workerId;
        this.progressEvery = Math.max(1, progressEvery);
        this.clock = clock;
    }

    /** Handles one delivery of a job and publishes exactly one terminal event for it. */
    public void handle(GenerationRequested received, int attempt) {
        String jobId = received.jobId();
        GenerationRequested request = defaults.applyTo(received);
        List<Violation> violations = new ArrayList<>(validator.validate(request));
        if (!defaults.model().equals(request.model())) {
            violations.add(new Violation("model", "this worker serves '" + defaults.model() + "', not '"
                    + request.model() + "'"));
        }
        if (request.scheduler() != null && !generator.supportedSchedulers().contains(request.scheduler())) {
            violations.add(new Violation("scheduler", "this model's worker supports "
                    + generator.supportedSchedulers() + ", not '" + request.scheduler() + "'"));
        }
        if (!violations.isEmpty()) {
            String message = violations.stream().map(v -> v.field() + " " + v.message())
                    .collect(Collectors.joining("; "));
            LOG.infof("job %s rejected: %s", jobId, message);
            events.publish(new GenerationEvent.Failed(jobId, clock.instant(), attempt, "invalid", message, false));
            return;
        }
        events.publish(new GenerationEvent.Started(jobId, clock.instant(), attempt, workerId));
        long seed = request.seed() != null ? request.seed() : seeds.nextLong(MAX_RANDOM_SEED);
        ImageGenerator.Input input = new ImageGenerator.Input(request.prompt(),
                request.negativePrompt() == null ? "" : request.negativePrompt(), request.width(), request.height(),
                request.steps(), request.guidanceScale(), seed, request.scheduler(), request.numImages());
        try {
            ImageGenerator.Output output = generator.generate(input, (step, total) -> {
                if (step % progressEvery == 0 || step == total) {
                    events.publishAsync(new GenerationEvent.Progress(jobId, clock.instant(), attempt, step, total));
                }
            });
            long uploadStart = System.nanoTime();
            List<ImageRef> images = new ArrayList<>();
            for (int i = 0; i < output.images().size(); i++) {
                ImageGenerator.Image image = output.images().get(i);
                images.add(store.putPng(jobId, i, image.png(), image.width(), image.height(), image.seed()));
            }
            Map<String, Double> timings = new LinkedHashMap<>(output.timings());
            timings.put("uploadMs", (System.nanoTime() - uploadStart) / 1e6);
            events.publish(new GenerationEvent.Completed(jobId, clock.instant(), attempt, images, timings, workerId,
                    generator.provider(), output.truncatedPrompt()));
            LOG.infof("job %s completed: %d image(s), seed %d", jobId, images.size(), seed);
        } catch (ImageStore.StorageException e) {
            LOG.warnf("job %s: %s", jobId, e.getMessage());
            events.publish(new GenerationEvent.Failed(jobId, clock.instant(), attempt, "storage_unavailable",
                    e.getMessage(), true));
        } catch (ImageGenerator.GenerationException e) {
            LOG.errorf(e, "job %s failed in the pipeline", jobId);
            events.publish(new GenerationEvent.Failed(jobId, clock.instant(), attempt, e.reason(),
                    String.valueOf(e.getMessage()), e.retriable()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "job %s failed unexpectedly", jobId);
            events.publish(new GenerationEvent.Failed(jobId, clock.instant(), attempt, "internal_error",
                    String.valueOf(e.getMessage()), true));
        }
    }
}
