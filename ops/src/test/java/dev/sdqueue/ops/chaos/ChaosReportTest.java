package dev.sdqueue.ops.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.ops.chaos.EventLog.Terminal;
import dev.sdqueue.ops.chaos.JobSubmitter.Submission;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosReportTest {
    private static Submission submitted(String job, long atMs) {
        return new Submission(0, job, atMs, atMs + 5, 1);
    }

    private static Terminal completed(int attempt, long atMs) {
        return new Terminal("completed", attempt, "w1", null, atMs);
    }

    private static Terminal failed(String reason, int attempt, long atMs) {
        return new Terminal("failed", attempt, null, reason, atMs);
    }

    @Test
    void countsOutcomesByTheFirstTerminalEventAndFlagsLostAndDuplicatedJobs() {
        List<Submission> submissions = List.of(submitted("a", 1_000), submitted("b", 1_000), submitted("c", 2_000),
                submitted("d", 2_000), submitted("e", 3_000));
        Map<String, List<Terminal>> terminals = Map.of(
                "a", List.of(completed(1, 1_250)),
                // two terminal events: a duplicate; the earlier one (failed) decides the outcome
                "b", List.of(completed(2, 9_000), failed("storage_unavailable", 1, 4_000)),
                "c", List.of(failed("invalid", 1, 2_100)),
                "e", List.of(completed(3, 63_000)),
                "not-submitted", List.of(failed("malformed", 1, 500)));

        ChaosReport report = ChaosReport.compute(submissions, terminals, 7);

        assertThat(report.submitted()).isEqualTo(5);
        assertThat(report.succeeded()).isEqualTo(2);
        assertThat(report.failed()).isEqualTo(2);
        assertThat(report.lost()).isEqualTo(1);
        assertThat(report.lostJobs()).containsExactly("d");
        assertThat(report.duplicateTerminal()).isEqualTo(1);
        assertThat(report.duplicateJobs()).containsExactly("b");
        assertThat(report.failureReasons()).containsExactly(Map.entry("invalid", 1L),
                Map.entry("storage_unavailable", 1L));
        assertThat(report.jobsByAttempts()).containsExactly(Map.entry(1, 3L), Map.entry(3, 1L));
        assertThat(report.latenciesMs()).containsExactly(100, 250, 3_000, 60_000);
        assertThat(report.passed()).isFalse();
        assertThat(report.lastLine()).isEqualTo("chaos: submitted=5 succeeded=2 failed=2 lost=1 duplicate_terminal=1"
                + " dlq=7 max_latency_ms=60000");
    }

    @Test
    void nearestRankPercentiles() {
        List<Submission> submissions = new java.util.ArrayList<>();
        Map<String, List<Terminal>> terminals = new java.util.HashMap<>();
        for (int i = 1; i <= 200; i++) {
            submissions.add(submitted("j" + i, 0));
            terminals.put("j" + i, List.of(completed(1, i * 10L)));
        }
        ChaosReport report = ChaosReport.compute(submissions, terminals, 0);

        assertThat(report.percentileMs(50)).isEqualTo(1_000);
        assertThat(report.percentileMs(90)).isEqualTo(1_800);
        assertThat(report.percentileMs(99)).isEqualTo(1_980);
        assertThat(report.percentileMs(99.9)).isEqualTo(2_000);
        assertThat(report.maxLatencyMs()).isEqualTo(2_000);
        assertThat(report.passed()).isTrue();
        assertThat(report.latencyLine()).contains("p50=1000 p90=1800 p99=1980 p99.9=2000 max=2000 (200 jobs)");
    }

    @Test
    void aRunWithoutAnyTerminalEventReportsEverythingLostAndNoLatency() {
        ChaosReport report = ChaosReport.compute(List.of(submitted("x", 0)), Map.of(), 0);

        assertThat(report.lastLine()).isEqualTo("chaos: submitted=1 succeeded=0 failed=0 lost=1 duplicate_terminal=0"
                + " dlq=0 max_latency_ms=0");
        assertThat(report.percentileMs(99)).isZero();
    }
}
