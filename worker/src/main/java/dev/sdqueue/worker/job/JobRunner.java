package dev.sdqueue.worker.job;

import dev.sdqueue.pipeline.StageTimings;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.worker.storage.ImageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One delivery of a job, from request to {@link JobOutcome}, in two halves so that a worker can finish one job while
 * the model runs the next: {@link #infer} (skip it if it already ended, fail it if its deadline passed, validate, run
 * the model up to decoded images) and {@link Inference#finish} (PNG, upload, {@code completed}). It knows nothing of
 * Kafka records: the adapter hands it a parsed request and the attempt, and routes the outcome. Neither half throws.
 */
public final class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    /** How long finishing a job waits for the broker to acknowledge its {@code started} event. */
    private static final Duration STARTED_ACK_TIMEOUT = Duration.ofSeconds(30);

    /** What every job of this worker shares besides its collaborators. */
    public record Settings(String workerId, int progressEvery, Duration progressInterval) {
    }

    private final ImageGenerator generator;
    private final EventPublisher events;
    private final TerminalStates terminals;
    private final TerminalEvents terminalEvents;
    private final RequestResolver resolver;
    private final ImageUploader uploader;
    private final Settings settings;
    private final Clock clock;
    private final StageRecorder stages;
    /** Runs the ended-jobs lookup of a delivery while the model already starts on it. */
    private final Executor lookups;

    public JobRunner(ImageGenerator generator, ImageStore store, EventPublisher events, TerminalStates terminals,
                     RequestValidator validator, RequestDefaults defaults, Settings settings, Clock clock,
                     StageRecorder stages, Executor lookups) {
        this.generator = generator;
        this.events = events;
        this.terminals = terminals;
        this.terminalEvents = new TerminalEvents(events, terminals, clock);
        this.resolver = new RequestResolver(validator, defaults, generator.supportedSchedulers());
        this.uploader = new ImageUploader(store, stages);
        this.settings = settings;
        this.clock = clock;
        this.stages = stages;
        this.lookups = lookups;
    }

    /** Publishes final {@code failed} events for the adapter (when no retry follows). */
    public TerminalEvents terminalEvents() {
        return terminalEvents;
    }

    /** The seed of a request without one (derived from the job id: a redelivery redoes the same images). */
    public static long seedFor(String jobId) {
        return RequestResolver.seedFor(jobId);
    }

    /** Both halves on this thread. */
    public JobOutcome run(GenerationRequested received, JobAttempt attempt) {
        return infer(received, attempt).finish();
    }

    /** Starts the ended-jobs lookup now: a worker does it when the record arrives, before the model is free. */
    public Admission admit(String jobId) {
        return Admission.start(terminals, jobId, lookups);
    }

    public Inference infer(GenerationRequested received, JobAttempt attempt) {
        return infer(received, attempt, admit(received.jobId()));
    }

    /** The half that needs the model, with the lookup started by {@link #admit}. */
    public Inference infer(GenerationRequested received, JobAttempt attempt, Admission admission) {
        long admitStart = System.nanoTime();
        String jobId = received.jobId();
        try {
            Optional<String> done = admission.endedIfKnown();
            if (done.isPresent()) {
                return ended(OutcomeClassifier.alreadyEnded(jobId, attempt, done.get()));
            }
            Instant now = clock.instant();
            boolean expired = received.deadline() != null && now.isAfter(received.deadline());
            RequestResolver.Resolution resolution = expired ? null : resolver.resolve(received);
            if (expired || resolution instanceof RequestResolver.Resolution.Invalid) {
                done = admission.await(); // a job that ended is skipped, not expired or rejected again
                if (done.isPresent()) {
                    return ended(OutcomeClassifier.alreadyEnded(jobId, attempt, done.get()));
                }
                return ended(expired ? expire(jobId, attempt, now, received.deadline())
                        : reject(jobId, (RequestResolver.Resolution.Invalid) resolution));
            }
            ImageGenerator.Input input = ((RequestResolver.Resolution.Runnable) resolution).input();
            return generate(jobId, input, attempt, admission, admitStart);
        } catch (Exception e) {
            return ended(OutcomeClassifier.failure(jobId, attempt, e));
        }
    }

    private JobOutcome expire(String jobId, JobAttempt attempt, Instant now, Instant deadline)
            throws TerminalStates.UnavailableException, TerminalEvents.NotAcknowledgedException,
            JobAttempt.NoLongerOursException {
        String message = "dequeued at " + now + ", after its deadline " + deadline;
        LOG.infof("job %s expired: %s", jobId, message);
        terminalEvents.publish(new GenerationEvent.Failed(jobId, now, attempt.number(), "expired", message, false),
                attempt.abort());
        return new JobOutcome.Expired(message);
    }

    private static JobOutcome reject(String jobId, RequestResolver.Resolution.Invalid invalid) {
        LOG.infof("job %s rejected: %s", jobId, invalid.message());
        return new JobOutcome.Rejected("invalid", invalid.message());
    }

    private Inference generate(String jobId, ImageGenerator.Input input, JobAttempt attempt, Admission admission,
                               long admitStart) {
        JobAttempt.AbortReason abort = attempt.abort().reason();
        if (abort != JobAttempt.AbortReason.NONE) {
            return ended(OutcomeClassifier.aborted(jobId, attempt, abort));
        }
        ProgressReporter progress = new ProgressReporter(jobId, attempt, admission, events, clock,
                new ProgressReporter.Throttle(settings.progressEvery(), settings.progressInterval().toNanos()),
                stages, settings.workerId());
        stages.record(Stage.ADMIT, System.nanoTime() - admitStart);
        ImageGenerator.Output output;
        try {
            output = generator.generate(input, progress);
        } catch (ImageGenerator.GenerationException e) {
            // A job found ended meanwhile is skipped, not rejected or retried.
            return ended(progress.admitted() ? OutcomeClassifier.failure(jobId, attempt, e) : stopped(progress, jobId,
                    attempt));
        }
        if (output.stopped() || !progress.admitted()) { // stopped at a step, or ended before its first one
            return ended(stopped(progress, jobId, attempt));
        }
        recordModelStages(output.timings());
        return new Inference.Pending(this, new Done(jobId, attempt, input.seed(), output, progress.started()));
    }

    private void recordModelStages(StageTimings timings) {
        stages.record(Stage.TOKENIZE, timings.tokenize().toNanos());
        stages.record(Stage.TEXT_ENCODER, timings.textEncoder().toNanos());
        stages.record(Stage.DENOISE, timings.denoise().toNanos());
        stages.record(Stage.VAE_DECODE, timings.vaeDecode().toNanos());
    }

    private static JobOutcome stopped(ProgressReporter progress, String jobId, JobAttempt attempt) {
        ProgressReporter.Stop stop = progress.stop().orElseThrow();
        if (stop instanceof ProgressReporter.Stop.AlreadyEnded ended) {
            return OutcomeClassifier.alreadyEnded(jobId, attempt, ended.type());
        }
        if (stop instanceof ProgressReporter.Stop.LookupFailed failed) {
            return OutcomeClassifier.failure(jobId, attempt, failed.cause());
        }
        return OutcomeClassifier.aborted(jobId, attempt, ((ProgressReporter.Stop.Aborted) stop).reason());
    }

    private static Inference ended(JobOutcome outcome) {
        return new Inference.Ended(outcome);
    }

    /** A job after {@link #infer}: either decided, or with images waiting to be encoded and stored. */
    public sealed interface Inference {
        /** Encodes, stores and publishes what the model made (nothing for a decided one); never throws. */
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
            private final JobRunner runner;
            private final Done done;

            private Pending(JobRunner runner, Done done) {
                this.runner = runner;
                this.done = done;
            }

            @Override
            public JobOutcome finish() {
                try {
                    return runner.store(done);
                } catch (Exception e) {
                    return OutcomeClassifier.failure(done.jobId(), done.attempt(), e);
                }
            }
        }
    }

    /** What the second half needs from the first. */
    private record Done(String jobId, JobAttempt attempt, long seed, ImageGenerator.Output output,
                        CompletionStage<Void> started) {
    }

    /** The second half: PNG, upload, {@code completed}. */
    private JobOutcome store(Done job) throws Exception {
        String jobId = job.jobId();
        JobAttempt attempt = job.attempt();
        if (attempt.abort().reason() != JobAttempt.AbortReason.NONE) {
            return OutcomeClassifier.aborted(jobId, attempt, attempt.abort().reason());
        }
        awaitStarted(job.started());
        ImageUploader.Uploaded uploaded = uploader.upload(jobId, job.output().images());
        JobTimings timings = new JobTimings(job.output().timings(), uploaded.pngEncode(), uploaded.upload());
        if (attempt.abort().reason() != JobAttempt.AbortReason.NONE) {
            return OutcomeClassifier.aborted(jobId, attempt, attempt.abort().reason());
        }
        long publishStart = System.nanoTime();
        GenerationEvent.Completed completed = new GenerationEvent.Completed(jobId, clock.instant(), attempt.number(),
                uploaded.images(), timings.toEventTimings(), settings.workerId(), generator.provider(),
                job.output().truncatedPrompt());
        Optional<String> alreadyEnded = terminalEvents.publish(completed, attempt.abort());
        if (alreadyEnded.isPresent()) { // another delivery ended the job meanwhile
            return new JobOutcome.AlreadyTerminal(alreadyEnded.get());
        }
        stages.record(Stage.PUBLISH, System.nanoTime() - publishStart);
        LOG.infof("job %s completed (attempt %d): %d image(s), seed %d", jobId, attempt.number(),
                uploaded.images().size(), job.seed());
        return new JobOutcome.Completed(uploaded.images().size());
    }

    private static void awaitStarted(CompletionStage<Void> started) throws TerminalEvents.NotAcknowledgedException {
        try {
            started.toCompletableFuture().get(STARTED_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TerminalEvents.NotAcknowledgedException("started", e);
        } catch (ExecutionException e) {
            throw new TerminalEvents.NotAcknowledgedException("started", e.getCause());
        } catch (TimeoutException e) {
            throw new TerminalEvents.NotAcknowledgedException("started", e);
        }
    }
}
