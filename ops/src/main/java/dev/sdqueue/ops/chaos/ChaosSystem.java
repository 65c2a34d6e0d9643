package dev.sdqueue.ops.chaos;

import dev.sdqueue.local.AppProcess;
import dev.sdqueue.local.LocalStack;
import dev.sdqueue.local.LocalStackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Everything a chaos run starts, as real processes: a private Kafka + S3Proxy (free ports, its own work dir, never
 * a {@code ./sdq up} stack), the dispatcher and the workers from their packaged jars. All are children of this JVM
 * and stopped by PID in {@link #close()} (also called by the run's shutdown hook).
 */
final class ChaosSystem implements AutoCloseable {
    /** Where the build put what runs. */
    record Artifacts(Path dispatcherJar, Path workerJar, Path modelDir) {
        static Artifacts in(Path root) {
            return new Artifacts(root.resolve("dispatcher/target/quarkus-app/quarkus-run.jar"),
                    root.resolve("worker/target/quarkus-app/quarkus-run.jar"), root.resolve("models/target/tiny-random"));
        }

        void check() {
            for (Path jar : List.of(dispatcherJar, workerJar)) {
                if (!Files.isRegularFile(jar)) {
                    throw new IllegalStateException(jar + " is missing: build first (./sdq builds it; or mvn -B"
                            + " install -DskipTests)");
                }
            }
            if (!Files.isRegularFile(modelDir.resolve("model_index.json"))) {
                throw new IllegalStateException("no model at " + modelDir + ": the models module generates it");
            }
        }
    }

    /** How the workers run; {@code extraProperties} go to every worker as {@code -D}. */
    record WorkerSettings(int sessionTimeoutMs, String heap, Map<String, String> extraProperties) {
    }

    /** A worker process and the id it puts into its events ({@code sdq.worker.id}). */
    record Worker(String id, AppProcess process, long startedAtMs) {
    }

    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Path workDir;
    private final Artifacts artifacts;
    private final WorkerSettings settings;
    private final Consumer<String> log;
    private final AtomicInteger workerNumbers = new AtomicInteger();
    private final List<Worker> workers = new ArrayList<>();
    private LocalStack stack;
    private AppProcess dispatcher;
    private boolean closed;

    private ChaosSystem(Path workDir, Artifacts artifacts, WorkerSettings settings, Consumer<String> log) {
        this.workDir = workDir;
        this.artifacts = artifacts;
        this.settings = settings;
        this.log = log;
    }

    /**
     * Starts the stack, creates {@code extraTopics}, starts the dispatcher and {@code workerCount} workers and waits
     * until all are ready. On failure whatever did start is stopped before the exception leaves.
     */
    static ChaosSystem start(Path workDir, Artifacts artifacts, WorkerSettings settings, int workerCount,
            List<String> extraTopics, Duration readyTimeout, Consumer<String> log) {
        artifacts.check();
        ChaosSystem system = new ChaosSystem(workDir, artifacts, settings, log);
        try {
            system.stack = LocalStack.create(LocalStackConfig.forTests().withWorkDir(workDir.resolve("stack"))
                    .withEphemeral(false), line -> log.accept("stack: " + line)).start();
            if (!extraTopics.isEmpty()) {
                system.stack.createTopics(extraTopics);
            }
            system.startDispatcher();
            List<Worker> started = new ArrayList<>();
            for (int i = 0; i < workerCount; i++) {
                started.add(system.startWorker());
            }
            system.dispatcher.awaitReady(readyTimeout);
            for (Worker worker : started) {
                worker.process().awaitReady(readyTimeout);
            }
            return system;
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    private void startDispatcher() {
        dispatcher = AppProcess.builder("dispatcher", artifacts.dispatcherJar(), workDir.resolve("dispatcher"))
                .jvmOption("-Xmx384m").jvmOption("-XX:+UseSerialGC")
                .property("kafka.bootstrap.servers", stack.bootstrapServers()).start();
        log.accept("dispatcher starting (pid " + dispatcher.pid() + ", " + dispatcher.uri("") + ")");
    }

    /** Launches one more worker (does not wait for it to be ready). */
    synchronized Worker startWorker() {
        String id = "chaos-worker-" + workerNumbers.incrementAndGet();
        Map<String, String> properties = new LinkedHashMap<>(stack.quarkusConfig());
        String secret = properties.remove("sdq.storage.secret-key"); // by environment, not on the command line
        properties.put("sdq.model.dir", artifacts.modelDir().toString());
        properties.put("sdq.worker.id", id);
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
        AppProcess process = AppProcess.builder(id, artifacts.workerJar(), workDir.resolve(id))
                .jvmOption("-Xmx" + settings.heap()).jvmOption("-XX:+UseSerialGC").properties(properties)
                .environment("SDQ_STORAGE_SECRET_KEY", secret).start();
        Worker worker = new Worker(id, process, System.currentTimeMillis());
        workers.add(worker);
        log.accept(id + " starting (pid " + process.pid() + ")");
        return worker;
    }

    /** Workers whose process is alive (ready or still starting). */
    synchronized List<Worker> liveWorkers() {
        return workers.stream().filter(worker -> worker.process().isAlive()).toList();
    }

    synchronized List<Worker> allWorkers() {
        return List.copyOf(workers);
    }

    /** PIDs of every process this system started and still knows (for checks that nothing is left). */
    synchronized List<Long> pids() {
        List<Long> pids = new ArrayList<>(workers.stream().map(worker -> worker.process().pid()).toList());
        if (dispatcher != null) {
            pids.add(dispatcher.pid());
        }
        if (stack != null) {
            pids.add(stack.kafkaPid());
            pids.add(stack.s3ProxyPid());
        }
        return pids;
    }

    LocalStack stack() {
        return stack;
    }

    AppProcess dispatcher() {
        return dispatcher;
    }

    Path workDir() {
        return workDir;
    }

    /** Stops workers, dispatcher and stack by PID (SIGTERM, SIGKILL after a grace period). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AppProcess> apps = new ArrayList<>(workers.stream().map(Worker::process).toList());
        if (dispatcher != null) {
            apps.add(dispatcher);
        }
        AppProcess.stopAll(apps, STOP_GRACE, stack);
    }
}
