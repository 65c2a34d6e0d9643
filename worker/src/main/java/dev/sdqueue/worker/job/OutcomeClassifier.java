package dev.sdqueue.worker.job;

import dev.sdqueue.worker.storage.ImageStore;
import org.jboss.logging.Logger;

/**
 * Names the outcome of each way a job can end early: the one place a failure becomes a retry ({@code Transient}), a
 * refusal ({@code Rejected}) or a stop ({@code Aborted}), with the reason code the {@code failed} event carries.
 */
final class OutcomeClassifier {
    private static final Logger LOG = Logger.getLogger(OutcomeClassifier.class);

    private OutcomeClassifier() {
    }

    /** A signalled attempt: shutdown and revocation stop it; running too long is a transient {@code timeout}. */
    static JobOutcome aborted(String jobId, JobAttempt attempt, JobAttempt.AbortReason reason) {
        if (reason == JobAttempt.AbortReason.TIMEOUT) {
            return new JobOutcome.Transient("timeout", "the job ran longer than the configured maximum", null);
        }
        LOG.infof("job %s (attempt %d) stopped: %s", jobId, attempt.number(), reason);
        return new JobOutcome.Aborted(reason);
    }

    /** The job had already ended before this delivery: nothing runs or is published. */
    static JobOutcome alreadyEnded(String jobId, JobAttempt attempt, String type) {
        LOG.infof("job %s (attempt %d) already ended %s: skipped", jobId, attempt.number(), type);
        return new JobOutcome.AlreadyTerminal(type);
    }

    /** A failure thrown by the model, the store, the ended-jobs index, the broker or a bug. */
    static JobOutcome failure(String jobId, JobAttempt attempt, Exception failure) {
        int n = attempt.number();
        if (failure instanceof JobAttempt.NoLongerOursException) {
            return aborted(jobId, attempt, JobAttempt.AbortReason.REVOKED);
        }
        if (failure instanceof ImageStore.StorageException e) {
            LOG.warnf("job %s (attempt %d): %s", jobId, n, e.getMessage());
            return new JobOutcome.Transient("storage_unavailable", e.getMessage(), e);
        }
        if (failure instanceof ImageGenerator.GenerationException e) {
            if (!e.retriable()) {
                LOG.infof("job %s rejected by the model: %s", jobId, e.getMessage());
                return new JobOutcome.Rejected(e.reason(), String.valueOf(e.getMessage()));
            }
            LOG.errorf(e, "job %s (attempt %d) failed in the pipeline", jobId, n);
            return new JobOutcome.Transient(e.reason(), String.valueOf(e.getMessage()), e);
        }
        if (failure instanceof TerminalStates.UnavailableException e) {
            return new JobOutcome.Transient("events_unavailable", e.getMessage(), e);
        }
        if (failure instanceof TerminalEvents.NotAcknowledgedException e) {
            LOG.warnf("job %s (attempt %d): %s", jobId, n, e.getMessage());
            return new JobOutcome.Transient("event_publish_failed", e.getMessage(), e.getCause());
        }
        LOG.errorf(failure, "job %s (attempt %d) failed unexpectedly", jobId, n);
        return JobOutcome.Transient.internalError(failure);
    }

    static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
