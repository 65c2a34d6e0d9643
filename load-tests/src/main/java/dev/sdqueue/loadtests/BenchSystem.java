package dev.sdqueue.loadtests;

import dev.sdqueue.local.AppProcess;
import dev.sdqueue.local.LocalStack;
import dev.sdqueue.local.LocalStackConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A private system for one benchmark, as real processes: its own Kafka + S3Proxy ({@link LocalStack} on free ports,
 * work dir of its own, never the {@code ./sdq up} stack), optionally the dispatcher, and N workers from the packaged
 * jars. Every process is a child of this JVM, stopped by PID in {@link #close()} (SIGTERM, SIGKILL after a grace).
 * Shared API of the benches (ingest, latency, and the worker-side ones):
 *
 * <pre>{@code
 * BenchSystem.Options options = BenchSystem.Options.in(home, workDir).withWorkers(2)
 *         .withModelDir(home.resolve("models/target/bench-100ms"))
 *         .withWorkerProperty("sdq.pipeline.intra-op-threads", "1");
 * try (BenchSystem system = BenchSystem.start(options, System.out::println)) {
 *     URI api = system.dispatcherUri();            // null unless withDispatcher(true) (the default)
 *     URI metrics = system.workers().get(0).uri("/q/metrics");
 * }
 * }</pre>
 */
public final class BenchSystem implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /**
     * What to start. {@code workerProperties} go to every worker as {@code -D} after the stack's settings (so they
     * may override them), {@code workerJvmOptions}/{@code dispatcherJvmOptions} before them (e.g. {@code -Xmx1g}).
     */
    public record Options(Path home, Path workDir, boolean dispatcher, int workers, Path modelDir, int partitions,
                          Map<String, String> workerProperties, List<String> workerJvmOptions,
                          Map<String, String> dispatcherProperties, List<String> dispatcherJvmOptions,
                          Duration readyTimeout, Path dispatcherJarOverride) {
        public Options {
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(modelDir, "modelDir");
            if (workers < 0 || partitions < 1) {
                throw new IllegalArgumentException("workers >= 0 and partitions >= 1, were " + workers + ", "
                        + partitions);
            }
            workerProperties = Map.copyOf(workerProperties);
            workerJvmOptions = List.copyOf(workerJvmOptions);
            dispatcherProperties = Map.copyOf(dispatcherProperties);
            dispatcherJvmOptions = List.copyOf(dispatcherJvmOptions);
        }

        /**
         * Dispatcher, no worker, {@code models/target/tiny-random}, the stack's default partitions (3), workers with
         * {@code -Xmx1g}, the dispatcher with {@code -Xmx512m}, 5 min to get ready.
         */
        public static Options in(Path home, Path workDir) {
            return new Options(home, workDir, true, 0, home.resolve("models/target/tiny-random"),
                    LocalStackConfig.DEFAULT_PARTITIONS, Map.of(), List.of("-Xmx1g"), Map.of(), List.of("-Xmx512m"),
                    Duration.ofMinutes(5), null);
        }

        public Options withDispatcher(boolean start) {
            return new Options(home, workDir, start, workers, modelDir, partitions, workerProperties,
                    workerJvmOptions, dispatcherProperties, dispatcherJvmOptions, readyTimeout, dispatcherJarOverride);
        }

        public Options withWorkers(int count) {
            return new Options(home, workDir, dispatcher, count, modelDir, partitions, workerProperties,
                    workerJvmOptions, dispatcherProperties, dispatcherJvmOptions, readyTimeout, dispatcherJarOverride);
        }

        public Options withModelDir(Path dir) {
            return new Options(home, workDir, dispatcher, workers, dir, partitions, workerProperties,
                    workerJvmOptions, dispatcherProperties, dispatcherJvmOptions, readyTimeout, dispatcherJarOverride);
        }

        /** Partitions of the request, retry and event topics (at least the number of workers to keep all busy). */
        public Options withPartitions(int count) {
            return new Options(home, workDir, dispatcher, workers, modelDir, count, workerProperties,
                    workerJvmOptions, dispatcherProperties, dispatcherJvmOptions, readyTimeout, dispatcherJarOverride);
        }

        public Options withWorkerProperty(String key, String value) {
            return withWorkerProperties(Map.of(key, value));
        }

        public Options withWorkerProperties(Map<String, String> more) {
            Map<String, String> merged = new LinkedHashMap<>(workerProperties);
            merged.putAll(more);
            return new Options(home, workDir, dispatcher, workers, modelDir, partitions, merged, workerJvmOptions,
                    dispatcherProperties, dispatcherJvmOptions, readyTimeout, dispatcherJarOverride);
        }

        public Options withWorkerJvmOptions(List<String> options) {
            return new Options(home, workDir, dispatcher, workers, modelDir, partitions, workerProperties, options,
                    dispatcherProperties, dispatcherJvmOptions, readyTimeout, dispatcherJarOverride);
        }

        public Options withDispatcherProperty(String key, String value) {
            Map<String, String> merged = new LinkedHashMap<>(dispatcherProperties);
            merged.put(key, value);
            return new Options(home, workDir, dispatcher, workers, modelDir, partitions, workerProperties,
                    workerJvmOptions, merged, dispatcherJvmOptions, readyTimeout, dispatcherJarOverride);
        }

        public Options withDispatcherJvmOptions(List<String> options) {
            return new Options(home, workDir, dispatcher, workers, modelDir, partitions, workerProperties,
                    workerJvmOptions, dispatcherProperties, options, readyTimeout, dispatcherJarOverride);
        }

        public Options withReadyTimeout(Duration timeout) {
            return new Options(home, workDir, dispatcher, workers, modelDir, partitions, workerProperties,
                    workerJvmOptions, dispatcherProperties, dispatcherJvmOptions, timeout, dispatcherJarOverride);
        }

        /** Another dispatcher build (e.g. a patched one, to compare), instead of this repository's. */
        public Options withDispatcherJar(Path jar) {
            return new Options(home, workDir, dispatcher, workers, modelDir, partitions, workerProperties,
                    workerJvmOptions, dispatcherProperties, dispatcherJvmOptions, readyTimeout, jar);
        }

        Path dispatcherJar() {
            return dispatcherJarOverride != null ? dispatcherJarOverride
                    : home.resolve("dispatcher/target/quarkus-app/quarkus-run.jar");
        }

        Path workerJar() {
            return home.resolve("worker/target/quarkus-app/quarkus-run.jar");
        }
    }

    /** A worker process and the id it puts into its events ({@code sdq.worker.id}). */
    public record Worker(String id, AppProcess process) {
        /** {@code http://127.0.0.1:<port><path>}, e.g. {@code /q/metrics}. */
        public URI uri(String path) {
            return process.uri(path);
        }

        public long pid() {
            return process.pid();
        }
    }

    private final Options options;
    private final Consumer<String> log;
    private final List<Worker> workers = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::closeQuietly, "sdq-bench-system-shutdown");
    private LocalStack stack;
    private AppProcess dispatcher;
    private boolean closed;

    private BenchSystem(Options options, Consumer<String> log) {
        this.options = options;
        this.log = log;
    }

    /**
     * Starts the stack, the dispatcher (if asked) and the workers, and waits until each answers
     * {@code /q/health/ready} (a worker: model loaded and warmed up). On failure whatever started is stopped.
     */
    public static BenchSystem start(Options options, Consumer<String> log) {
        check(options);
        BenchSystem system = new BenchSystem(options, log);
        // Ctrl-C during a bench: the children are stopped by PID all the same.
        Runtime.getRuntime().addShutdownHook(system.shutdownHook);
        try {
            LocalStackConfig config = LocalStackConfig.forTests().withWorkDir(options.workDir().resolve("stack"))
                    .withPartitions(options.partitions()).withEphemeral(false);
            system.stack = LocalStack.create(config, line -> log.accept("stack: " + line)).start();
            if (options.dispatcher()) {
                system.startDispatcher();
            }
            List<Worker> started = new ArrayList<>();
            for (int i = 0; i < options.workers(); i++) {
                started.add(system.startWorker());
            }
            if (system.dispatcher != null) {
                system.dispatcher.awaitReady(options.readyTimeout());
            }
            for (Worker worker : started) {
                worker.process().awaitReady(options.readyTimeout());
            }
            log.accept("system ready: Kafka " + system.bootstrapServers()
                    + (system.dispatcher != null ? ", dispatcher " + system.dispatcherUri() : "")
                    + ", " + started.size() + " worker(s)");
            return system;
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    private static void check(Options options) {
        List<Path> needed = new ArrayList<>();
        if (options.dispatcher()) {
            needed.add(options.dispatcherJar());
        }
        if (options.workers() > 0) {
            needed.add(options.workerJar());
            needed.add(options.modelDir().resolve("model_index.json"));
        }
        for (Path file : needed) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(file + " is missing: build first (./sdq builds it; or mvn -B install"
                        + " -DskipTests)");
            }
        }
    }

    private void startDispatcher() {
        AppProcess.Builder builder = AppProcess.builder("dispatcher", options.dispatcherJar(),
                options.workDir().resolve("dispatcher"));
        options.dispatcherJvmOptions().forEach(builder::jvmOption);
        dispatcher = builder.property("kafka.bootstrap.servers", stack.bootstrapServers())
                .properties(options.dispatcherProperties()).start();
        log.accept("dispatcher starting (pid " + dispatcher.pid() + ", " + dispatcher.uri("") + ")");
    }

    /** Launches one more worker ({@code bench-worker-<n>}); does not wait for it to be ready. */
    public synchronized Worker startWorker() {
        String id = "bench-worker-" + (workers.size() + 1);
        Map<String, String> properties = new LinkedHashMap<>(stack.quarkusConfig());
        String secret = properties.remove("sdq.storage.secret-key"); // by environment, not on the command line
        properties.put("sdq.model.dir", options.modelDir().toString());
        properties.put("sdq.worker.id", id);
        properties.putAll(options.workerProperties());
        AppProcess.Builder builder = AppProcess.builder(id, options.workerJar(), options.workDir().resolve(id));
        options.workerJvmOptions().forEach(builder::jvmOption);
        AppProcess process = builder.properties(properties).environment("SDQ_STORAGE_SECRET_KEY", secret).start();
        Worker worker = new Worker(id, process);
        workers.add(worker);
        log.accept(id + " starting (pid " + process.pid() + ")");
        return worker;
    }

    public synchronized List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** The dispatcher's base URI ({@code http://127.0.0.1:<port>}), or null if none was started. */
    public URI dispatcherUri() {
        return dispatcher == null ? null : dispatcher.uri("");
    }

    public AppProcess dispatcher() {
        return dispatcher;
    }

    public String bootstrapServers() {
        return stack.bootstrapServers();
    }

    public LocalStack stack() {
        return stack;
    }

    public Options options() {
        return options;
    }

    /** PIDs of every process started (workers, dispatcher, Kafka, S3Proxy), e.g. to check none is left. */
    public synchronized List<Long> pids() {
        List<Long> pids = new ArrayList<>(workers.stream().map(Worker::pid).toList());
        if (dispatcher != null) {
            pids.add(dispatcher.pid());
        }
        if (stack != null) {
            pids.add(stack.kafkaPid());
            pids.add(stack.s3ProxyPid());
        }
        return pids;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("bench: could not stop every process: " + e.getMessage());
        }
    }

    /** Stops workers and dispatcher (in parallel), then the stack, each by PID. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook itself is closing
        }
        List<AppProcess> apps = new ArrayList<>(workers.stream().map(Worker::process).toList());
        if (dispatcher != null) {
            apps.add(dispatcher);
        }
        AppProcess.stopAll(apps, STOP_GRACE, stack);
    }
}
