package dev.sdqueue.worker.service;

/** Thrown out of the denoising loop's progress callback to stop a job between two steps. */
final class JobAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final JobAttempt.AbortReason reason;

    JobAbortedException(JobAttempt.AbortReason reason) {
        super("job stopped: " + reason, null, false, false);
        this.reason = reason;
    }

    JobAttempt.AbortReason reason() {
        return reason;
    }
}
