package dev.sdqueue.ops.chaos;

import dev.sdqueue.local.AppProcess;
import dev.sdqueue.local.LocalStack;
import dev.sdqueue.local.LocalSystem;
import dev.sdqueue.local.LocalSystemOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Everything a chaos run starts: a private {@link LocalSystem} (Kafka + S3Proxy on free ports in its own work dir,
 * never a {@code ./sdq up} stack; the dispatcher; the workers {@code chaos-worker-<n>}) with the settings that shape
 * the run. All are children of this JVM and stopped by PID in {@link #close()} (also called by the run's shutdown
 * hook).
 */
final class ChaosSystem implements AutoCloseable {
    /** How the workers run; {@code extraProperties} go to every worker as {@code -D}. */
    record WorkerSettings(int sessionTimeoutMs, String heap, Map<String, String> extraProperties) {
    }

    private final LocalSystem system;

    private ChaosSystem(LocalSystem system) {
        this.system = system;
    }

    /**
     * Starts the stack, creates {@code extraTopics}, starts the dispatcher and {@code workerCount} workers and waits
     * until all are ready. On failure whatever did start is stopped before the exception leaves.
     */
    static ChaosSystem start(Path workDir, Path root, WorkerSettings settings, int workerCount,
            List<String> extraTopics, Duration readyTimeout, Consumer<String> log) {
        return new ChaosSystem(LocalSystem.start(options(workDir, root, settings, workerCount, extraTopics,
                readyTimeout), log));
    }

    static LocalSystemOptions options(Path workDir, Path root, WorkerSettings settings, int workerCount,
            List<String> extraTopics, Duration readyTimeout) {
        Map<String, String> properties = new LinkedHashMap<>();
        // Fast start and fair sharing of two cores among several workers: warm one small size, one thread each.
        properties.put("sdq.pipeline.warmup-sizes", "64x64");
        properties.put("sdq.pipeline.warmup-batches", "1");
        properties.put("sdq.pipeline.intra-op-threads", "1");
        // A killed worker's partitions move after the session timeout (Kafka's default 45 s only slows the run).
        String channel = "mp.messaging.incoming.generation-requests.";
        properties.put(channel + "session.timeout.ms", Integer.toString(settings.sessionTimeoutMs()));
        properties.put(channel + "heartbeat.interval.ms", Integer.toString(Math.max(500,
                settings.sessionTimeoutMs() / 4)));
        properties.putAll(settings.extraProperties());
        return LocalSystemOptions.builder(root, workDir)
                .dispatcherJvmOptions(List.of("-Xmx384m", "-XX:+UseSerialGC")).dispatcherReadyTimeout(readyTimeout)
                .workers(workerCount).workerName("chaos-worker-%d").workerProperties(properties)
                .workerJvmOptions(List.of("-Xmx" + settings.heap(), "-XX:+UseSerialGC"))
                .workerReadyTimeout(readyTimeout).extraTopics(extraTopics).build();
    }

    /** Launches one more worker (does not wait for it to be ready). */
    LocalSystem.Worker startWorker() {
        return system.startWorker();
    }

    /** Workers whose process is alive (ready or still starting). */
    List<LocalSystem.Worker> liveWorkers() {
        return system.liveWorkers();
    }

    List<LocalSystem.Worker> allWorkers() {
        return system.workers();
    }

    /** PIDs of every process this system started and still knows (for checks that nothing is left). */
    List<Long> pids() {
        return system.pids();
    }

    LocalStack stack() {
        return system.stack();
    }

    AppProcess dispatcher() {
        return system.dispatcher();
    }

    Path workDir() {
        return system.workDir();
    }

    /** Stops workers, dispatcher and stack by PID (SIGTERM, SIGKILL after a grace period). Idempotent. */
    @Override
    public void close() {
        system.close();
    }
}
