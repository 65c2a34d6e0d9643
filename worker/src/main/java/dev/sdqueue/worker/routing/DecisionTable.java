package dev.sdqueue.worker.routing;

import dev.sdqueue.worker.job.JobAttempt;
import dev.sdqueue.worker.job.JobOutcome;
import java.time.Duration;
import java.time.Instant;

/**
 * The one place that decides what happens to a request record, as a pure function of the delivery's outcome, its
 * attempt (number, first failure, and whether it must let go now), the request's deadline, the clock and the retry
 * schedule. The rows, in order (docs/reliability.md has the same table):
 * <ol>
 * <li>the attempt must let go (shutdown past its grace, partition revoked) and the outcome needs a write
 * (rejected, transient) or is a stop: leave unacknowledged;</li>
 * <li>completed, already ended, expired: acknowledge;</li>
 * <li>rejected (invalid, poison, a request the model refuses): dead-letter, fail (not retriable), acknowledge;</li>
 * <li>transient, no retry left: dead-letter, fail (retriable), acknowledge;</li>
 * <li>transient, the next retry would start after the deadline: fail as expired, acknowledge;</li>
 * <li>transient, the next retry would start later than the retry timeout after the first failure: as row 4;</li>
 * <li>transient otherwise: retry via the delay's topic.</li>
 * </ol>
 * An exception the worker did not expect is a transient {@code internal_error} (rows 4-7), never a record left
 * unacknowledged: that would hold back every later offset of its partition until the consumer is restarted.
 */
public final class DecisionTable {
    private final RetrySchedule schedule;

    public DecisionTable(RetrySchedule schedule) {
        this.schedule = schedule;
    }

    /** A delivery as the table sees it. {@code firstFailure} is null before any attempt failed. */
    public record Attempt(int number, Instant firstFailure, JobAttempt.AbortReason letGo) {
        public Attempt {
            if (number < 1) {
                throw new IllegalArgumentException("attempts start at 1, was " + number);
            }
        }
    }

    public RecordDecision decide(JobOutcome outcome, Attempt attempt, Instant deadline, Instant now) {
        if (outcome instanceof JobOutcome.Aborted aborted) {
            return new RecordDecision.LeaveUnacknowledged("stopped: " + aborted.why());
        }
        boolean letGo = attempt.letGo() == JobAttempt.AbortReason.SHUTDOWN
                || attempt.letGo() == JobAttempt.AbortReason.REVOKED;
        if (letGo && (outcome instanceof JobOutcome.Rejected || outcome instanceof JobOutcome.Transient)) {
            return new RecordDecision.LeaveUnacknowledged("let go: " + attempt.letGo());
        }
        if (outcome instanceof JobOutcome.Completed || outcome instanceof JobOutcome.AlreadyTerminal
                || outcome instanceof JobOutcome.Expired) {
            return new RecordDecision.Acknowledge(outcome.getClass().getSimpleName());
        }
        if (outcome instanceof JobOutcome.Rejected rejected) {
            return new RecordDecision.DeadLetterThenFail(rejected.reason(), rejected.message(), false, null);
        }
        return afterTransient((JobOutcome.Transient) outcome, attempt, deadline, now);
    }

    private RecordDecision afterTransient(JobOutcome.Transient failure, Attempt attempt, Instant deadline,
                                          Instant now) {
        int retriesSoFar = attempt.number() - 1;
        if (retriesSoFar >= schedule.maxRetries()) {
            return giveUp(failure, "gave up after " + attempt.number() + " attempt(s)");
        }
        Duration delay = schedule.delayOfRetry(retriesSoFar + 1);
        Instant next = now.plus(delay);
        if (deadline != null && next.isAfter(deadline)) {
            return new RecordDecision.FailExpired("the next attempt (not before " + next
                    + ") would start after the deadline " + deadline + "; attempt " + attempt.number() + " failed: "
                    + failure.reason() + ": " + failure.message());
        }
        Instant first = attempt.firstFailure() == null ? now : attempt.firstFailure();
        if (Duration.between(first, next).compareTo(schedule.timeout()) > 0) {
            return giveUp(failure, "gave up after " + attempt.number() + " attempt(s): the next one would start more"
                    + " than " + schedule.timeout().toSeconds() + " s after the first failure");
        }
        String topic = schedule.topics().get(Math.min(retriesSoFar, schedule.topics().size() - 1));
        return new RecordDecision.RetryVia(topic, delay, failure.reason(), failure.message(), failure.cause());
    }

    private static RecordDecision giveUp(JobOutcome.Transient failure, String why) {
        return new RecordDecision.DeadLetterThenFail(failure.reason(), failure.message() + " (" + why + ")", true,
                failure.cause());
    }
}
