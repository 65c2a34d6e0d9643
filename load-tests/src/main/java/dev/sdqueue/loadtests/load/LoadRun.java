package dev.sdqueue.loadtests.load;

import dev.sdqueue.loadtests.BenchClock;
import dev.sdqueue.loadtests.EventTracker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One load run: the event tracker is positioned at the end of {@code sdq.generation.events} first, then Gatling
 * drives the plan, then the run waits (at most {@code drainTimeout}) for every accepted job's terminal event.
 * Without a bootstrap server there is no end-to-end side (HTTP figures only).
 */
public final class LoadRun {
    /** What a run produced. */
    public record Outcome(LoadResult result, Optional<Path> gatlingReport, int gatlingExitCode) {
    }

    private LoadRun() {
    }

    public static Outcome execute(LoadPlan plan, String bootstrapServers, Duration drainTimeout, Path gatlingDir,
                                  String description, PrintStream out) throws IOException, InterruptedException {
        EventTracker tracker = bootstrapServers == null ? null : EventTracker.startAtEnd(bootstrapServers);
        try {
            out.println("load: " + plan.dispatcher() + "/v1/generations; " + String.join("; ",
                    plan.phases().stream().map(LoadPhase::describe).toList()));
            GatlingLoad.Outcome load = GatlingLoad.run(plan, gatlingDir, description);
            List<String> accepted = load.submissions().stream().filter(Submission::accepted)
                    .map(Submission::jobId).toList();
            Map<String, EventTracker.JobEvents> seen = Map.of();
            if (tracker != null) {
                drain(tracker, accepted, drainTimeout, out);
                seen = tracker.snapshot();
            }
            LoadResult result = LoadResult.of(plan, load.submissions(), seen, BenchClock.nowMicros());
            return new Outcome(result, load.gatlingReport(), load.gatlingExitCode());
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    private static void drain(EventTracker tracker, List<String> accepted, Duration timeout, PrintStream out)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long begin = System.nanoTime();
        while (true) {
            int ended = tracker.endedCount(accepted);
            if (ended == accepted.size()) {
                out.printf("drain: every accepted job (%d) ended%n", ended);
                return;
            }
            if (System.nanoTime() > deadline) {
                out.printf("drain: %d of %d accepted jobs without a terminal event after %d s (counted as lost)%n",
                        accepted.size() - ended, accepted.size(), timeout.toSeconds());
                return;
            }
            if (tracker.awaitTerminals(accepted, Duration.ofSeconds(5))) {
                continue;
            }
            out.printf("drain: %d s, %d of %d accepted jobs ended%n", (System.nanoTime() - begin) / 1_000_000_000L,
                    tracker.endedCount(accepted), accepted.size());
        }
    }
}
