package dev.sdqueue.ops.chaos;

import dev.sdqueue.schema.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A line of counts every few seconds while a run goes on, so a long run shows it is alive and how it fares. */
final class Progress {
    private static final Duration EVERY = Duration.ofSeconds(5);

    private final ChaosPlan plan;
    private final JobSubmitter submitter;
    private final EventLog events;
    private final KafkaProbe probe;
    private final ChaosSystem system;
    private final long originMs;
    private final PrintStream out;
    private volatile boolean running = true;
    private Thread thread;

    Progress(ChaosPlan plan, JobSubmitter submitter, EventLog events, KafkaProbe probe, ChaosSystem system,
            long originMs, PrintStream out) {
        this.plan = plan;
        this.submitter = submitter;
        this.events = events;
        this.probe = probe;
        this.system = system;
        this.originMs = originMs;
        this.out = out;
    }

    void start() {
        thread = new Thread(this::loop, "sdq-chaos-progress");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            out.println(line());
        }
    }

    String line() {
        Map<String, List<EventLog.Terminal>> terminals = events.terminals();
        int ok = 0;
        int failed = 0;
        int duplicated = 0;
        int pending = 0;
        for (JobSubmitter.Submission submission : submitter.accepted()) {
            List<EventLog.Terminal> ends = terminals.get(submission.jobId());
            if (ends == null) {
                pending++;
                continue;
            }
            if (ends.get(0).completed()) {
                ok++;
            } else {
                failed++;
            }
            if (ends.size() > 1) {
                duplicated++;
            }
        }
        String dlq;
        try {
            dlq = Long.toString(probe.recordCount(Topics.DEAD_LETTER));
        } catch (Exception brokerAway) {
            dlq = "?";
        }
        return String.format("[%5d s] accepted %d/%d | done %d (ok %d, failed %d, duplicated %d) | pending %d"
                        + " | dlq %s | workers alive %d | events read %d",
                (System.currentTimeMillis() - originMs) / 1000, submitter.acceptedCount(), plan.jobs(), ok + failed,
                ok, failed, duplicated, pending, dlq, system.liveWorkers().size(), events.recordsRead());
    }
}
