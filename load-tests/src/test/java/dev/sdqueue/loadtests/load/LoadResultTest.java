package dev.sdqueue.loadtests.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.loadtests.EventTracker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadResultTest {
    private static final long T0 = 1_700_000_000_000_000L; // micros

    private static EventTracker.JobEvents completed(String id, long startedAt, long doneAt, long received,
                                                    double totalMs, double uploadMs) {
        return new EventTracker.JobEvents(id, startedAt, startedAt + 500, 1, "completed", doneAt, received, null,
                "w1", Map.of("totalMs", totalMs, "uploadMs", uploadMs), 1);
    }

    @Test
    void joinsSubmissionsWithTheirEventsAndCountsEveryOutcome() {
        LoadPlan plan = new LoadPlan(URI.create("http://127.0.0.1:1"), new byte[] {'{', '}'},
                List.of(LoadPhase.constantRate("submit", 2, Duration.ofSeconds(2))), true, Duration.ofSeconds(5));
        List<Submission> submissions = List.of(
                new Submission("submit", T0, T0 + 10_000, 202, "a"),
                new Submission("submit", T0 + 500_000, T0 + 520_000, 202, "b"),
                new Submission("submit", T0 + 1_000_000, T0 + 1_030_000, 503, null),
                new Submission("submit", T0 + 1_500_000, T0 + 1_505_000, 202, "c"));
        Map<String, EventTracker.JobEvents> seen = Map.of(
                // a: sent at T0, started 20 ms later, pipeline 100 ms, completed.at at 140 ms, received at 150 ms
                "a", completed("a", T0 + 20_000, T0 + 140_000, T0 + 150_000, 100, 15),
                "b", new EventTracker.JobEvents("b", T0 + 510_000, 0, 1, "failed", T0 + 600_000, T0 + 610_000,
                        "expired", "w1", Map.of(), 2));
        LoadResult result = LoadResult.of(plan, submissions, seen, T0 + 5_000_000);

        assertThat(result.submitted()).isEqualTo(4);
        assertThat(result.accepted()).isEqualTo(3);
        assertThat(result.httpErrors()).isEqualTo(Map.of(503, 1L));
        assertThat(result.completed()).isEqualTo(1);
        assertThat(result.failedByReason()).isEqualTo(Map.of("expired", 1L));
        assertThat(result.lost()).as("c has no terminal event").isEqualTo(1);
        assertThat(result.duplicateTerminals()).isEqualTo(1);
        assertThat(result.injectionSeconds()).isEqualTo(1.5);

        JobSample a = result.jobs().get(0);
        assertThat(a.endToEndMs()).isEqualTo(150);
        assertThat(a.pipelineMs()).isEqualTo(100);
        assertThat(a.addedMs()).isEqualTo(50);
        assertThat(a.toStartedMs()).isEqualTo(20);
        assertThat(a.inWorkerBesidesPipelineMs()).isEqualTo(20);
        assertThat(a.deliveryMs()).isEqualTo(10);
        assertThat(a.toStartedMs() + a.inWorkerBesidesPipelineMs() + a.deliveryMs()).isEqualTo(a.addedMs());
        assertThat(result.endToEnd().count()).as("completed jobs only").isEqualTo(1);
        assertThat(result.submitLatency().max()).isEqualTo(20);
        assertThat(result.onlyPhase("other").submitted()).isZero();
    }
}
