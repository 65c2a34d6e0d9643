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

        /**
         * Runs {@code write} (a job's terminal event) only while the delivery is still this worker's. The Kafka
         * adapter holds off the revocation of the record's partition meanwhile, so a new owner cannot pass its own
         * duplicate check before this event is on the broker. Throws {@link NoLongerOursException} without running
         * it otherwise. By default (nothing to fence) it just runs.
         */
        default <T> T whileOurs(Write<T> write) throws Exception {
            return write.run();
        }
    }

    /** A write that must happen while the delivery is this worker's. */
    @FunctionalInterface
    public interface Write<T> {
        T run() throws Exception;
    }

    /** The record's partition moved to another worker: this one must not end the job. */
    public static final class NoLongerOursException extends Exception {
        private static final long serialVersionUID = 1L;

        public NoLongerOursException(String message) {
            super(message, null, false, false);
        }
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
