package dev.sdqueue.worker.service;

import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.schema.Violation;
import dev.sdqueue.worker.messaging.EventPublisher;
import dev.sdqueue.worker.storage.ImageStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One delivery of a job from request to outcome: skip it if the job already ended, fail it if its deadline passed,
 * resolve defaults, validate, run the model, store the images, publish {@code completed}. The work is in two halves,
 * {@link #infer} (needs the model) and {@link Inference#finish} (PNG, upload, events), so that a worker can finish
 * one job while the model runs the next. It knows nothing of Kafka
 * records: the consumer hands it a parsed request and the attempt, and turns the returned {@link JobOutcome} into an
 * acknowledgement, a retry or a dead letter. It publishes {@code failed} only through {@link #fail}, which the
 * consumer calls when no retry follows.
 */
public final class GenerationJobHandler {
    private static final Logger LOG = Logger.getLogger(GenerationJobHandler.class);
    /** Seeds are reported as JSON integers; keeping them within 2^53 keeps them exact in JavaScript clients too. */
    private static final long MAX_RANDOM_SEED = (1L << 53) - 1;
    /** How long finishing a job waits for the broker to acknowledge its {@code started} event. */
    private static final Duration STARTED_ACK_TIMEOUT = Duration.ofSeconds(30);
    /** Generator timing keys and the stage names they are recorded under. */
    private static final Map<String, String> MODEL_STAGES = Map.of("tokenizeMs", "tokenize", "textEncoderMs",
            "text_encoder", "denoiseMs", "denoise", "vaeDecodeMs", "vae_decode");

    private final ImageGenerator generator;
    private final ImageStore store;
    private final EventPublisher events;
    private final TerminalStates terminals;
    private final RequestValidator validator;
    private final RequestDefaults defaults;
    private final String workerId;
    private final int progressEvery;
    private final long progressIntervalNanos;
    private final Clock clock;
    private final StageRecorder stages;
    /** Runs the ended-jobs lookup of a delivery while the model already starts on it. */
    private final Executor lookups;

    public GenerationJobHandler(ImageGenerator generator, ImageStore store, EventPublisher events,
                                TerminalStates terminals, RequestValidator validator, RequestDefaults defaults,
                                String workerId, int progressEvery, Clock clock) {
        this(generator, store, events, terminals, validator, defaults, workerId, progressEvery, Duration.ZERO, clock,
                StageRecorder.NONE, Runnable::run);
    }

    public GenerationJobHandler(ImageGenerator generator, ImageStore store, EventPublisher events,
                                TerminalStates terminals, RequestValidator validator, RequestDefaults defaults,
                                String workerId, int progressEvery, Duration progressInterval, Clock clock,
                                StageRecorder stages, Executor lookups) {
        this.generator = generator;
        this.store = store;
        this.events = events;
        this.terminals = terminals;
        this.validator = validator;
        this.defaults = defaults;
        this.workerId = workerId;
        this.progressEvery = Math.max(1, progressEvery);
        this.progressIntervalNanos = Math.max(0, progressInterval.toNanos());
        this.clock = clock;
        this.stages = stages;
        this.lookups = lookups;
    }

    /** Handles one delivery of a job on this thread: {@link #infer} then {@link Inference#finish}. */
    public JobOutcome run(GenerationRequested received, JobAttempt attempt) {
        return infer(received, attempt).finish();
    }

    /**
     * The part of a delivery that needs the model: skip it if the job already ended, fail it if its deadline passed,
     * validate, send {@code started} (not awaited here), run the model up to decoded images. What is left (PNG,
     * upload, {@code completed}) is the returned {@link Inference#finish}, which a worker runs on another thread
     * while the model takes the next job. Never throws: failures come back as an {@link Inference.Ended}.
     */
    public Inference infer(GenerationRequested received, JobAttempt attempt) {
        return infer(received, attempt, admit(received.jobId()));
    }

    /**
     * Starts the ended-jobs lookup of a delivered job now (a worker does it when the record arrives, so the answer
     * is there by the time the model takes the job).
     */
    public Admission admit(String jobId) {
        return Admission.start(terminals, jobId, lookups);
    }

    /** {@link #infer(GenerationRequested, JobAttempt)} with the lookup started earlier by {@link #admit}. */
    public Inference infer(GenerationRequested received, JobAttempt attempt, Admission admission) {
        long admitStart = System.nanoTime();
        String jobId = received.jobId();
        try {
            Optional<String> done = admission.endedIfKnown();
            if (done.isPresent()) {
                return skipped(jobId, attempt, done.get());
            }
            Instant now = clock.instant();
            if (received.deadline() != null && now.isAfter(received.deadline())) {
                done = admission.await();
                if (done.isPresent()) {
                    return skipped(jobId, attempt, done.get());
                }
                String message = "dequeued at " + now + ", after its deadline " + received.deadline();
                LOG.infof("job %s expired: %s", jobId, message);
                try {
                    publishTerminal(new GenerationEvent.Failed(jobId, now, attempt.number(), "expired", message,
                            false));
                } catch (RuntimeException e) {
                    return ended(new JobOutcome.Transient("event_publish_failed", describe(e), e));
                }
                return ended(new JobOutcome.Expired(message));
            }
            GenerationRequested request = defaults.applyTo(received);
            List<Violation> violations = violations(request);
            if (!violations.isEmpty()) {
                done = admission.await();
                if (done.isPresent()) {
                    return skipped(jobId, attempt, done.get());
                }
                String message = violations.stream().map(v -> v.field() + " " + v.message())
                        .collect(Collectors.joining("; "));
                LOG.infof("job %s rejected: %s", jobId, message);
                return ended(new JobOutcome.Rejected("invalid", message));
            }
            return guarded(jobId, attempt, () -> generate(jobId, request, attempt, admission, admitStart));
        } catch (TerminalStates.UnavailableException e) {
            return ended(new JobOutcome.Transient("events_unavailable", e.getMessage(), e));
        }
    }

    private static Inference skipped(String jobId, JobAttempt attempt, String type) {
        LOG.infof("job %s (attempt %d) already ended %s: skipped", jobId, attempt.number(), type);
        return ended(new JobOutcome.AlreadyTerminal(type));
    }

    /** A job after {@link #infer}: either ended already, or with images waiting to be encoded and stored. */
    public sealed interface Inference {
        /** Encodes, stores and publishes what the model made (nothing for an ended one); never throws. */
        JobOutcome finish();

        /** Nothing more to do: the outcome is decided. */
        record Ended(JobOutcome outcome) implements Inference {
            @Override
            public JobOutcome finish() {
                return outcome;
            }
        }

        /** The model is done with this job; its images still need PNG, upload and {@code completed}. */
        final class Pending implements Inference {
            private final GenerationJobHandler handler;
            private final Job job;

            private Pending(GenerationJobHandler handler, Job job) {
                this.handler = handler;
                this.job = job;
            }

            @Override
            public JobOutcome finish() {
                return handler.guarded(job.jobId(), job.attempt(), () -> ended(handler.store(job))).finish();
            }
        }
    }

    /** What the second half of a job needs from the first. */
    private record Job(String jobId, JobAttempt attempt, long seed, ImageGenerator.Output output,
                       CompletionStage<Void> started) {
    }

    @FunctionalInterface
    private interface Body {
        Inference run() throws ImageStore.StorageException, ImageGenerator.GenerationException,
                TerminalStates.UnavailableException;
    }

    /** Runs one half of a job, turning each way it can fail into the outcome the consumer routes. */
    private Inference guarded(String jobId, JobAttempt attempt, Body body) {
        try {
            return body.run();
        } catch (JobAbortedException e) {
            if (e.reason() == JobAttempt.AbortReason.TIMEOUT) {
                return ended(new JobOutcome.Transient("timeout", "the job ran longer than the configured maximum", e));
            }
            LOG.infof("job %s (attempt %d) stopped: %s", jobId, attempt.number(), e.reason());
            return ended(new JobOutcome.Aborted(e.reason()));
        } catch (ImageStore.StorageException e) {
            LOG.warnf("job %s (attempt %d): %s", jobId, attempt.number(), e.getMessage());
            return ended(new JobOutcome.Transient("storage_unavailable", e.getMessage(), e));
        } catch (ImageGenerator.GenerationException e) {
            if (!e.retriable()) {
                LOG.infof("job %s rejected by the model: %s", jobId, e.getMessage());
                return ended(new JobOutcome.Rejected(e.reason(), String.valueOf(e.getMessage())));
            }
            LOG.errorf(e, "job %s (attempt %d) failed in the pipeline", jobId, attempt.number());
            return ended(new JobOutcome.Transient(e.reason(), String.valueOf(e.getMessage()), e));
        } catch (TerminalStates.UnavailableException e) {
            return ended(new JobOutcome.Transient("events_unavailable", e.getMessage(), e));
        } catch (EventPublishException e) {
            LOG.warnf("job %s (attempt %d): %s", jobId, attempt.number(), e.getMessage());
            return ended(new JobOutcome.Transient("event_publish_failed", e.getMessage(), e.getCause()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "job %s (attempt %d) failed unexpectedly", jobId, attempt.number());
            return ended(new JobOutcome.Transient("internal_error", describe(e), e));
        }
    }

    private static Inference ended(JobOutcome outcome) {
        return new Inference.Ended(outcome);
    }

    private Inference generate(String jobId, GenerationRequested request, JobAttempt attempt, Admission admission,
                               long admitStart) throws ImageGenerator.GenerationException,
            TerminalStates.UnavailableException {
        int n = attempt.number();
        abortIfSignalled(attempt);
        GenerationEvent.Started startedEvent = new GenerationEvent.Started(jobId, clock.instant(), n, workerId);
        List<CompletionStage<Void>> started = new ArrayList<>(1);
        // At the first step (or at the end, or on a model failure, whichever comes first): the admission answer,
        // then started, sent without waiting (awaited before completed; same producer and key keep the order).
        Runnable admitted = () -> {
            if (started.isEmpty()) {
                long waitStart = System.nanoTime();
                Optional<String> done = awaitAdmission(admission);
                stages.record("admission_wait", System.nanoTime() - waitStart);
                if (done.isPresent()) {
                    throw new AlreadyEndedException(done.get());
                }
                started.add(events.publishAcknowledged(startedEvent));
            }
        };
        long seed = request.seed() != null ? request.seed() : seedFor(jobId);
        ImageGenerator.Input input = new ImageGenerator.Input(request.prompt(),
                request.negativePrompt() == null ? "" : request.negativePrompt(), request.width(), request.height(),
                request.steps(), request.guidanceScale(), seed, request.scheduler(), request.numImages());
        stages.record("admit", System.nanoTime() - admitStart);
        long[] lastProgress = {System.nanoTime()};
        ImageGenerator.Output output;
        try {
            try {
                output = generator.generate(input, (step, total) -> {
                    abortIfSignalled(attempt);
                    admitted.run();
                    long now = System.nanoTime();
                    if (step == total
                            || (step % progressEvery == 0 && now - lastProgress[0] >= progressIntervalNanos)) {
                        lastProgress[0] = now;
                        events.publishAsync(new GenerationEvent.Progress(jobId, clock.instant(), n, step, total));
                    }
                });
            } catch (ImageGenerator.GenerationException e) {
                admitted.run(); // a job that had already ended is skipped, not rejected or retried
                throw e;
            }
            admitted.run(); // a run that failed or ended before its first step
        } catch (AlreadyEndedException e) {
            return skipped(jobId, attempt, e.type);
        } catch (AdmissionUnavailableException e) {
            throw e.cause;
        }
        recordModelStages(output.timings());
        return new Inference.Pending(this, new Job(jobId, attempt, seed, output, started.get(0)));
    }

    private static Optional<String> awaitAdmission(Admission admission) {
        try {
            return admission.await();
        } catch (TerminalStates.UnavailableException e) {
            throw new AdmissionUnavailableException(e);
        }
    }

    /** Thrown through the model's step callback: the job had ended before this delivery; the run stops. */
    private static final class AlreadyEndedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String type;

        AlreadyEndedException(String type) {
            super(type, null, false, false);
            this.type = type;
        }
    }

    /** Thrown through the model's step callback: the ended-jobs lookup failed. */
    private static final class AdmissionUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient TerminalStates.UnavailableException cause;

        AdmissionUnavailableException(TerminalStates.UnavailableException cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }

    /** The second half: PNG, upload, {@code completed}. */
    private JobOutcome store(Job job) throws ImageStore.StorageException, TerminalStates.UnavailableException {
        String jobId = job.jobId();
        JobAttempt attempt = job.attempt();
        abortIfSignalled(attempt);
        awaitStarted(job);
        List<ImageGenerator.Image> generated = job.output().images();
        long pngNanos = 0;
        long uploadNanos = 0;
        List<ImageRef> images = new ArrayList<>();
        for (int i = 0; i < generated.size(); i++) {
            ImageGenerator.Image image = generated.get(i);
            long t0 = System.nanoTime();
            byte[] png = image.png().encode();
            long t1 = System.nanoTime();
            images.add(store.putPng(jobId, i, png, image.width(), image.height(), image.seed()));
            pngNanos += t1 - t0;
            uploadNanos += System.nanoTime() - t1;
        }
        stages.record("png", pngNanos);
        stages.record("upload", uploadNanos);
        Map<String, Double> timings = new LinkedHashMap<>(job.output().timings());
        double inferenceMs = timings.getOrDefault("totalMs", 0.0);
        timings.put("inferenceMs", inferenceMs);
        timings.put("pngEncodeMs", pngNanos / 1e6);
        timings.put("totalMs", inferenceMs + pngNanos / 1e6);
        timings.put("uploadMs", uploadNanos / 1e6);
        abortIfSignalled(attempt);
        long publishStart = System.nanoTime();
        GenerationEvent.Completed completed = new GenerationEvent.Completed(jobId, clock.instant(), attempt.number(),
                images, timings, workerId, generator.provider(), job.output().truncatedPrompt());
        if (!publishTerminal(completed)) {
            return new JobOutcome.AlreadyTerminal(terminals.terminalOf(jobId).orElse(GenerationEvent.COMPLETED));
        }
        stages.record("publish", System.nanoTime() - publishStart);
        LOG.infof("job %s completed (attempt %d): %d image(s), seed %d", jobId, attempt.number(), images.size(),
                job.seed());
        return new JobOutcome.Completed(images.size());
    }

    private void awaitStarted(Job job) {
        try {
            job.started().toCompletableFuture().get(STARTED_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException("started", e);
        } catch (ExecutionException e) {
            throw new EventPublishException("started", e.getCause());
        } catch (TimeoutException e) {
            throw new EventPublishException("started", e);
        }
    }

    /** The model's stages of this job, from the generator's timings (milliseconds). */
    private void recordModelStages(Map<String, Double> timings) {
        MODEL_STAGES.forEach((key, stage) -> {
            Double ms = timings.get(key);
            if (ms != null) {
                stages.record(stage, (long) (ms * 1_000_000));
            }
        });
    }

    /**
     * Publishes the job's final {@code failed} event, unless it already has a terminal event. Called by the consumer
     * when no retry follows (after dead-lettering the record where that applies).
     *
     * @return true if published, false if the job had already ended
     * @throws TerminalStates.UnavailableException if the event topic cannot be read up to date
     * @throws RuntimeException if the broker did not acknowledge the event
     */
    public boolean fail(String jobId, int attempt, String reason, String message, boolean retriable)
            throws TerminalStates.UnavailableException {
        boolean published = publishTerminal(new GenerationEvent.Failed(jobId, clock.instant(), attempt, reason,
                message, retriable));
        if (published) {
            LOG.infof("job %s failed (attempt %d): %s: %s", jobId, attempt, reason, message);
        }
        return published;
    }

    /** The seed of a request without one: derived from the job id, so a redelivered job redoes identical images. */
    public static long seedFor(String jobId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(jobId.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong() & MAX_RANDOM_SEED;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private List<Violation> violations(GenerationRequested request) {
        List<Violation> violations = new ArrayList<>(validator.validate(request));
        if (!defaults.model().equals(request.model())) {
            violations.add(new Violation("model", "this worker serves '" + defaults.model() + "', not '"
                    + request.model() + "'"));
        }
        if (request.scheduler() != null && !generator.supportedSchedulers().contains(request.scheduler())) {
            violations.add(new Violation("scheduler", "this model's worker supports "
                    + generator.supportedSchedulers() + ", not '" + request.scheduler() + "'"));
        }
        return violations;
    }

    /** Checks the index right before publishing: another delivery of the job may have finished meanwhile. */
    private boolean publishTerminal(GenerationEvent event) throws TerminalStates.UnavailableException {
        Optional<String> done = terminals.terminalOf(event.jobId());
        if (done.isPresent()) {
            LOG.infof("job %s already ended %s elsewhere: %s not published", event.jobId(), done.get(), event.type());
            return false;
        }
        publish(event);
        terminals.published(event.jobId(), event.type());
        return true;
    }

    private void publish(GenerationEvent event) {
        try {
            events.publish(event);
        } catch (RuntimeException e) {
            throw new EventPublishException(event, e);
        }
    }

    private static void abortIfSignalled(JobAttempt attempt) {
        JobAttempt.AbortReason reason = attempt.abort().reason();
        if (reason != JobAttempt.AbortReason.NONE) {
            throw new JobAbortedException(reason);
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The broker did not acknowledge an event the job's outcome depends on. */
    private static final class EventPublishException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EventPublishException(GenerationEvent event, Throwable cause) {
            this(event.type(), cause);
        }

        EventPublishException(String type, Throwable cause) {
            super("the " + type + " event was not acknowledged: " + describe(cause), cause);
        }
    }
}
