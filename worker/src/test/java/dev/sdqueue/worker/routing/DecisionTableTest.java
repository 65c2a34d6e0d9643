package dev.sdqueue.worker.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.worker.job.JobAttempt.AbortReason;
import dev.sdqueue.worker.job.JobOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the decision table (docs/reliability.md, "What happens to a record"), each with the exact decision:
 * changing any row's action, topic, reason, message or retriable flag fails its case. Retries: 10 s, 60 s, 300 s,
 * at most 1 h after the first failure.
 */
class DecisionTableTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final RetrySchedule SCHEDULE = RetrySchedule.of(
            List.of(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(300)), Duration.ofHours(1));
    private static final DecisionTable TABLE = new DecisionTable(SCHEDULE);
    private static final JobOutcome.Transient S3_DOWN = new JobOutcome.Transient("storage_unavailable", "S3 down",
            null);
    private static final RuntimeException BUG = new NullPointerException("a bug");
    private static final JobOutcome.Transient UNEXPECTED = new JobOutcome.Transient("internal_error", "a bug", BUG);

    private static DecisionTable.Attempt attempt(int number) {
        return new DecisionTable.Attempt(number, number == 1 ? null : NOW.minusSeconds(30), AbortReason.NONE);
    }

    private static DecisionTable.Attempt lettingGo(AbortReason reason) {
        return new DecisionTable.Attempt(1, null, reason);
    }

    private static String topic(long ms) {
        return "sdq.generation.requests_retry_" + ms;
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                row("completed: acknowledge", new JobOutcome.Completed(2), attempt(1), null,
                        new RecordDecision.Acknowledge("Completed")),
                row("already ended (a redelivery): acknowledge", new JobOutcome.AlreadyTerminal("completed"),
                        attempt(1), null, new RecordDecision.Acknowledge("AlreadyTerminal")),
                row("expired at dequeue (failed already published): acknowledge", new JobOutcome.Expired("late"),
                        attempt(1), null, new RecordDecision.Acknowledge("Expired")),
                row("invalid: dead-letter, fail not retriable", new JobOutcome.Rejected("invalid", "width too big"),
                        attempt(1), null, new RecordDecision.DeadLetterThenFail("invalid", "width too big", false,
                                null)),
                row("poison: dead-letter with its reason, fail not retriable",
                        new JobOutcome.Rejected("not_json", "unexpected character"), attempt(1), null,
                        new RecordDecision.DeadLetterThenFail("not_json", "unexpected character", false, null)),
                row("transient, attempt 1: first retry topic", S3_DOWN, attempt(1), null,
                        new RecordDecision.RetryVia(topic(10_000), Duration.ofSeconds(10), "storage_unavailable",
                                "S3 down", null)),
                row("transient, attempt 2: second retry topic", S3_DOWN, attempt(2), null,
                        new RecordDecision.RetryVia(topic(60_000), Duration.ofSeconds(60), "storage_unavailable",
                                "S3 down", null)),
                row("transient, attempt 3: third retry topic", S3_DOWN, attempt(3), null,
                        new RecordDecision.RetryVia(topic(300_000), Duration.ofSeconds(300), "storage_unavailable",
                                "S3 down", null)),
                row("transient, last attempt: dead-letter, fail retriable", S3_DOWN, attempt(4), null,
                        new RecordDecision.DeadLetterThenFail("storage_unavailable",
                                "S3 down (gave up after 4 attempt(s))", true, null)),
                row("transient, next retry after the deadline: fail expired", S3_DOWN, attempt(1),
                        NOW.plusSeconds(5), new RecordDecision.FailExpired("the next attempt (not before "
                                + NOW.plusSeconds(10) + ") would start after the deadline " + NOW.plusSeconds(5)
                                + "; attempt 1 failed: storage_unavailable: S3 down")),
                row("transient, next retry before the deadline: retry", S3_DOWN, attempt(1), NOW.plusSeconds(11),
                        new RecordDecision.RetryVia(topic(10_000), Duration.ofSeconds(10), "storage_unavailable",
                                "S3 down", null)),
                row("transient, next retry past the retry timeout: dead-letter, fail retriable", S3_DOWN,
                        new DecisionTable.Attempt(2, NOW.minus(Duration.ofMinutes(59).plusSeconds(55)),
                                AbortReason.NONE), null,
                        new RecordDecision.DeadLetterThenFail("storage_unavailable", "S3 down (gave up after 2"
                                + " attempt(s): the next one would start more than 3600 s after the first failure)",
                                true, null)),
                row("unexpected exception: a transient internal_error, retried (never left to stall the partition)",
                        UNEXPECTED, attempt(1), null, new RecordDecision.RetryVia(topic(10_000),
                                Duration.ofSeconds(10), "internal_error", "a bug", BUG)),
                row("job ran too long (timeout is not letting go): retry", new JobOutcome.Transient("timeout",
                        "too long", null), new DecisionTable.Attempt(1, null, AbortReason.TIMEOUT), null,
                        new RecordDecision.RetryVia(topic(10_000), Duration.ofSeconds(10), "timeout", "too long",
                                null)),
                row("stopped by shutdown: leave unacknowledged", new JobOutcome.Aborted(AbortReason.SHUTDOWN),
                        attempt(1), null, new RecordDecision.LeaveUnacknowledged("stopped: SHUTDOWN")),
                row("stopped by revocation: leave unacknowledged", new JobOutcome.Aborted(AbortReason.REVOKED),
                        attempt(1), null, new RecordDecision.LeaveUnacknowledged("stopped: REVOKED")),
                row("transient while the partition is revoked: leave unacknowledged", S3_DOWN,
                        lettingGo(AbortReason.REVOKED), null,
                        new RecordDecision.LeaveUnacknowledged("let go: REVOKED")),
                row("rejected while shutting down past the grace: leave unacknowledged",
                        new JobOutcome.Rejected("invalid", "bad"), lettingGo(AbortReason.SHUTDOWN), null,
                        new RecordDecision.LeaveUnacknowledged("let go: SHUTDOWN")),
                row("completed while the partition is revoked: acknowledge (nothing left to write)",
                        new JobOutcome.Completed(1), lettingGo(AbortReason.REVOKED), null,
                        new RecordDecision.Acknowledge("Completed")));
    }

    private static Arguments row(String name, JobOutcome outcome, DecisionTable.Attempt attempt, Instant deadline,
                                 RecordDecision expected) {
        return Arguments.of(name, outcome, attempt, deadline, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(String name, JobOutcome outcome, DecisionTable.Attempt attempt, Instant deadline,
                 RecordDecision expected) {
        assertThat(TABLE.decide(outcome, attempt, deadline, NOW)).isEqualTo(expected);
    }

    @Test
    void moreRetriesThanDelaysReuseTheLastTopic() {
        DecisionTable five = new DecisionTable(new RetrySchedule(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)),
                4, Duration.ofHours(1)));

        assertThat(five.decide(S3_DOWN, new DecisionTable.Attempt(4, NOW, AbortReason.NONE), null, NOW))
                .isEqualTo(new RecordDecision.RetryVia(topic(2000), Duration.ofSeconds(2), "storage_unavailable",
                        "S3 down", null));
        assertThat(five.decide(S3_DOWN, new DecisionTable.Attempt(5, NOW, AbortReason.NONE), null, NOW))
                .isInstanceOf(RecordDecision.DeadLetterThenFail.class);
    }

    @Test
    void theScheduleNamesOneTopicPerDelayAndRefusesNone() {
        assertThat(SCHEDULE.topics()).containsExactly(topic(10_000), topic(60_000), topic(300_000));
        assertThat(SCHEDULE.maxAttempts()).isEqualTo(4);
        assertThat(SCHEDULE.isRetryTopic(topic(60_000))).isTrue();
        assertThat(SCHEDULE.isRetryTopic("sdq.generation.requests")).isFalse();
        assertThatThrownBy(() -> RetrySchedule.of(List.of(), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetrySchedule.of(List.of(Duration.ZERO), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
