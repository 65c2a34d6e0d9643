package dev.sdqueue.worker.routing;

import java.time.Duration;

/** What happens to a request record after a delivery of it: {@link DecisionTable} decides, the adapter does it. */
public sealed interface RecordDecision {

    /** Commit past it: the job is done here (completed, already ended, expired). */
    record Acknowledge(String why) implements RecordDecision {
    }

    /** Write it to the retry {@code topic} (SmallRye then acknowledges it); it comes back after {@code delay}. */
    record RetryVia(String topic, Duration delay, String reason, String message, Throwable cause)
            implements RecordDecision {
    }

    /** Dead-letter it with {@code reason}, publish the job's final {@code failed}, then acknowledge. */
    record DeadLetterThenFail(String reason, String message, boolean retriable, Throwable cause)
            implements RecordDecision {
    }

    /** Publish the job's final {@code failed} with reason {@code expired}, then acknowledge; no dead letter. */
    record FailExpired(String message) implements RecordDecision {
    }

    /** Neither write nor acknowledge: the record is redelivered to whoever owns its partition next. */
    record LeaveUnacknowledged(String why) implements RecordDecision {
    }
}
