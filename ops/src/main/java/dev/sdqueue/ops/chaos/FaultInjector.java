package dev.sdqueue.ops.chaos;

import dev.sdqueue.local.LocalSystem.Worker;
import dev.sdqueue.ops.chaos.EventLog.Started;
import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;

/**
 * The faults: {@code kill -9} of a worker that is in the middle of a job, a broker restart, an S3 outage. Each
 * is written to the timeline when it happens.
 */
final class FaultInjector {
    /** A worker killed while {@code jobId} (delivery {@code attempt}) had started on it and not ended. */
    record Kill(String worker, long pid, String jobId, int attempt, int step, long startedAtMs, long killedAtMs) {
    }

    /** A started job younger than this is taken as running (tiny-model jobs take tens to hundreds of ms). */
    private static final long FRESH_START_MS = 1500;
    /** Time for records the worker had already handed to the network to land before its state is read. */
    private static final Duration IN_FLIGHT_SETTLE = Duration.ofMillis(300);

    private final ChaosSystem system;
    private final EventLog events;
    private final KafkaProbe probe;
    private final Timeline timeline;
    private final Duration readyTimeout;
    private final List<Kill> kills = new ArrayList<>();
    private final BackgroundTasks replacements = new BackgroundTasks();
    private int nearMisses;

    FaultInjector(ChaosSystem system, EventLog events, KafkaProbe probe, Timeline timeline, Duration readyTimeout) {
        this.system = system;
        this.events = events;
        this.probe = probe;
        this.timeline = timeline;
        this.readyTimeout = readyTimeout;
    }

    /**
     * Finds a worker whose last {@code started} job has no terminal event yet, freezes it (SIGSTOP), lets its
     * in-flight records land and reads the event topic up to its end; if the job still has not ended, the worker
     * is killed with SIGKILL (else resumed and the search goes on). A replacement worker is started at once.
     * Empty if no worker was caught mid-job within {@code timeout}.
     */
    Optional<Kill> killWorkerMidJob(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Worker worker : system.liveWorkers()) {
                Optional<Started> started = runningJob(worker);
                if (started.isEmpty()) {
                    continue;
                }
                worker.process().suspend();
                Optional<Started> still;
                try {
                    Thread.sleep(IN_FLIGHT_SETTLE.toMillis());
                    still = caughtUp() ? runningJob(worker).filter(s -> s.equals(started.get())) : Optional.empty();
                } catch (RuntimeException | InterruptedException e) {
                    worker.process().resume();
                    throw e;
                }
                if (still.isEmpty()) {
                    nearMisses++;
                    worker.process().resume();
                    continue;
                }
                return Optional.of(kill(worker, still.get()));
            }
            Thread.sleep(10);
        }
        timeline.add("no worker was caught mid-job within " + timeout.toSeconds() + " s (" + nearMisses
                + " near misses): kill skipped");
        return Optional.empty();
    }

    private Kill kill(Worker worker, Started job) {
        int step = events.progressOf(job.jobId());
        long pid = worker.process().pid();
        worker.process().kill();
        long now = System.currentTimeMillis();
        Kill kill = new Kill(worker.id(), pid, job.jobId(), job.attempt(), step, job.timestampMs(), now);
        synchronized (kills) {
            kills.add(kill);
        }
        timeline.add(now, "kill -9 " + worker.id() + " (pid " + pid + ") mid-job " + job.jobId() + " (attempt "
                + job.attempt() + ", step " + step + ", started " + (now - job.timestampMs()) + " ms before)");
        Worker replacement = system.startWorker();
        timeline.add("started " + replacement.id() + " (pid " + replacement.process().pid() + ") to replace "
                + worker.id());
        replacements.start("sdq-chaos-ready-" + replacement.id(), () -> {
            long begin = System.currentTimeMillis();
            try {
                replacement.process().awaitReady(readyTimeout);
                timeline.add(replacement.id() + " ready after " + (System.currentTimeMillis() - begin) / 1000.0
                        + " s");
            } catch (RuntimeException e) {
                timeline.add(replacement.id() + " did not get ready: " + firstLine(e.getMessage()));
            }
        });
        return kill;
    }

    /** The job the worker started last, if it has not ended and started recently (after this process began). */
    private Optional<Started> runningJob(Worker worker) {
        long now = System.currentTimeMillis();
        return events.lastStartedBy(worker.id())
                .filter(s -> s.timestampMs() >= worker.startedAtMs() && now - s.timestampMs() < FRESH_START_MS)
                .filter(s -> !events.hasTerminal(s.jobId()));
    }

    /** Reads the event topic up to its current end (the frozen worker can add nothing more). */
    private boolean caughtUp() throws InterruptedException {
        try {
            Map<TopicPartition, Long> end = probe.endOffsets(Topics.EVENTS);
            return events.awaitPositions(end, Duration.ofSeconds(10));
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Stops the broker (SIGTERM, or SIGKILL when {@code forcibly}) and starts it again in place. */
    void restartBroker(boolean forcibly) {
        var stack = system.stack();
        long oldPid = stack.kafkaPid();
        long begin = System.currentTimeMillis();
        timeline.add(begin, (forcibly ? "SIGKILL" : "SIGTERM") + " to the broker (pid " + oldPid + ")");
        stack.stopKafka(forcibly);
        timeline.add("broker stopped after " + (System.currentTimeMillis() - begin) + " ms; starting it again");
        long pid = stack.startKafka();
        timeline.add("broker answers again (pid " + pid + "), " + (System.currentTimeMillis() - begin)
                + " ms after the stop signal");
    }

    /** S3Proxy killed (an abrupt outage: uploads in progress are cut), down for {@code duration}, started again. */
    void s3Outage(Duration duration) throws InterruptedException {
        var stack = system.stack();
        timeline.add("S3 outage: SIGKILL to S3Proxy (pid " + stack.s3ProxyPid() + ") for " + duration.toSeconds()
                + " s");
        stack.stopS3Proxy(true);
        Thread.sleep(duration.toMillis());
        long pid = stack.startS3Proxy();
        timeline.add("S3 back: S3Proxy answers again (pid " + pid + ")");
    }

    List<Kill> kills() {
        synchronized (kills) {
            return List.copyOf(kills);
        }
    }

    /** Waits for the readiness watchers of replacement workers (so the timeline is complete). */
    void awaitReplacements(Duration timeout) throws InterruptedException {
        replacements.awaitAll(timeout);
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}
