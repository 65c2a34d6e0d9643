package dev.sdqueue.worker.job;

/**
 * How one delivery of a job ended, as far as the handler got: the consumer turns it into an acknowledgement, a
 * delayed retry or a dead letter.
 */
public sealed interface JobOutcome {

    /** The images are stored and {@code completed} is published. Acknowledge. */
    record Completed(int images) implements JobOutcome {
    }

    /** The job already had its terminal event (a redelivery): nothing was run or published. Acknowledge. */
    record AlreadyTerminal(String type) implements JobOutcome {
    }

    /** Dequeued after its deadline: {@code failed} ({@code expired}) is published, nothing ran. Acknowledge. */
    record Expired(String message) implements JobOutcome {
    }

    /** The request can never succeed (invalid for this worker): dead-letter it, then publish the final failure. */
    record Rejected(String reason, String message) implements JobOutcome {
    }

    /** This attempt failed but another may succeed (S3, Kafka, inference, timeout): retry or give up. */
    record Transient(String reason, String message, Throwable cause) implements JobOutcome {
        /** An exception nobody expected: retried like any transient failure, never left to stall a partition. */
        public static Transient internalError(Throwable bug) {
            return new Transient("internal_error", bug.getMessage() == null ? bug.getClass().getSimpleName()
                    : bug.getMessage(), bug);
        }
    }

    /** Stopped before finishing (shutdown, partition revoked): publish nothing, do not acknowledge. */
    record Aborted(JobAttempt.AbortReason why) implements JobOutcome {
    }
}
