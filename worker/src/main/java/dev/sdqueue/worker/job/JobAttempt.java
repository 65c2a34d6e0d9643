package dev.sdqueue.worker.job;

/**
 * One delivery of a job: its attempt number (1 for the first, counted across the retry topics) and the signal that
 * tells the handler to stop early.
 */
public record JobAttempt(int number, AbortSignal abort) {

    public JobAttempt {
        if (number < 1) {
            throw new IllegalArgumentException("attempt numbers start at 1, was " + number);
        }
    }

    /** An attempt nothing stops. */
    public static JobAttempt of(int number) {
        return new JobAttempt(number, AbortSignal.NEVER);
    }

    /** Why a job in flight must stop; checked between denoising steps and before anything is published. */
    @FunctionalInterface
    public interface AbortSignal {
        AbortSignal NEVER = () -> AbortReason.NONE;

        AbortReason reason();
    }

    public enum AbortReason {
        NONE,
        /** The worker shuts down and the grace period is over: leave the record to be redelivered. */
        SHUTDOWN,
        /** The request's partition was revoked: its new owner redoes the job, this one must not finish it. */
        REVOKED,
        /** The job ran longer than {@code sdq.worker.max-job-duration}: a transient failure, retried. */
        TIMEOUT
    }
}
