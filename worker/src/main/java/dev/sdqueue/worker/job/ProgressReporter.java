package dev.sdqueue.worker.job;

import dev.sdqueue.schema.GenerationEvent;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One job's denoising steps as its events, and the reasons to stop it, as values. At the first step (or after the
 * run, if it failed or ended before one) it waits for the ended-jobs lookup started when the record arrived, then
 * sends {@code started} without waiting for the broker (awaited before {@code completed}; the same producer and key
 * keep the order). Then {@code progress}: at most one per {@code interval} and every {@code every}-th step, the last
 * step always. It answers STOP when the attempt is aborted or the job turns out to have ended already, and
 * {@link #stop()} tells why. Used on the model's thread only.
 */
final class ProgressReporter implements ImageGenerator.StepProgress {

    /** Why a run was stopped. */
    sealed interface Stop {
        /** The job had already ended before this delivery: skip it. */
        record AlreadyEnded(String type) implements Stop {
        }

        /** The ended-jobs lookup failed: the job cannot run now (transient). */
        record LookupFailed(TerminalStates.UnavailableException cause) implements Stop {
        }

        /** Shutdown past its grace, partition revoked, or the job ran too long. */
        record Aborted(JobAttempt.AbortReason reason) implements Stop {
        }
    }

    /** How often progress events go out. */
    record Throttle(int every, long intervalNanos) {
        Throttle {
            every = Math.max(1, every);
            intervalNanos = Math.max(0, intervalNanos);
        }
    }

    private final String jobId;
    private final JobAttempt attempt;
    private final Admission admission;
    private final EventPublisher events;
    private final Clock clock;
    private final Throttle throttle;
    private final StageRecorder stages;
    private final GenerationEvent.Started startedEvent;
    private long lastProgressNanos = System.nanoTime();
    private CompletionStage<Void> started;
    private Stop stop;

    ProgressReporter(String jobId, JobAttempt attempt, Admission admission, EventPublisher events, Clock clock,
                     Throttle throttle, StageRecorder stages, String workerId) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.admission = admission;
        this.events = events;
        this.clock = clock;
        this.throttle = throttle;
        this.stages = stages;
        this.startedEvent = new GenerationEvent.Started(jobId, clock.instant(), attempt.number(), workerId);
    }

    @Override
    public ImageGenerator.StepDecision onStep(int step, int totalSteps) {
        JobAttempt.AbortReason abort = attempt.abort().reason();
        if (abort != JobAttempt.AbortReason.NONE) {
            stop = new Stop.Aborted(abort);
            return ImageGenerator.StepDecision.STOP;
        }
        if (!admitted()) {
            return ImageGenerator.StepDecision.STOP;
        }
        long now = System.nanoTime();
        if (step == totalSteps
                || (step % throttle.every() == 0 && now - lastProgressNanos >= throttle.intervalNanos())) {
            lastProgressNanos = now;
            events.publishAsync(new GenerationEvent.Progress(jobId, clock.instant(), attempt.number(), step,
                    totalSteps));
        }
        return ImageGenerator.StepDecision.CONTINUE;
    }

    /**
     * True once the lookup cleared the job and {@code started} is sent; false (and {@link #stop()} set) if the job
     * ended before or the lookup failed. Called at the first step, and after a run that had none.
     */
    boolean admitted() {
        if (started != null) {
            return true;
        }
        if (stop != null) {
            return false;
        }
        long waitStart = System.nanoTime();
        try {
            Optional<String> ended = admission.await();
            if (ended.isPresent()) {
                stop = new Stop.AlreadyEnded(ended.get());
                return false;
            }
        } catch (TerminalStates.UnavailableException e) {
            stop = new Stop.LookupFailed(e);
            return false;
        } finally {
            stages.record(Stage.ADMISSION_WAIT, System.nanoTime() - waitStart);
        }
        started = events.publishAcknowledged(startedEvent);
        return true;
    }

    /** Why the run stopped, if it did. */
    Optional<Stop> stop() {
        return Optional.ofNullable(stop);
    }

    /** The broker's acknowledgement of {@code started}; only after {@link #admitted()} returned true. */
    CompletionStage<Void> started() {
        if (started == null) {
            throw new IllegalStateException("started is sent once the job is admitted");
        }
        return started;
    }
}
