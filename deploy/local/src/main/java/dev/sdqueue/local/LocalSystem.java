package dev.sdqueue.local;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The whole system on one machine as real processes: Kafka + S3Proxy ({@link LocalStack}), one dispatcher and N
 * workers from the packaged jars. The one place that knows the project's layout ({@link #dispatcherJar},
 * {@link #workerJar}, {@link #modelDir}). Used by {@code ./sdq up} (through {@link LocalSystemCli}), the benches, the
 * chaos suite and the end-to-end tests:
 *
 * <pre>{@code
 * try (LocalSystem system = LocalSystem.start(LocalSystemOptions.builder(home, dir).workers(2).build(), log)) {
 *     URI api = system.dispatcherUri();                     // http://127.0.0.1:<free port>
 *     String bootstrap = system.bootstrapServers();
 * }                                                         // close(): every process stopped by PID
 * }</pre>
 *
 * Work dir layout: the stack's ({@code kafka/}, {@code s3/}, {@code run/stack.state}), {@code logs/<name>.log} and
 * {@code run/<name>.pid|port} of every app, {@code home/} (the apps' {@code HOME}), {@code tmp/<name>/},
 * {@code state/<name>/} (a dispatcher's status store). Every worker
 * gets the stack's S3 settings explicitly ({@code sdq.storage.endpoint}, {@code access-key}, {@code bucket},
 * {@code region} as {@code -D}; the secret as {@code SDQ_STORAGE_SECRET_KEY} in its environment, never on argv).
 */
public final class LocalSystem implements AutoCloseable {
    /** Name (log, PID file, marker) of the dispatcher. */
    public static final String DISPATCHER = "dispatcher";
    /** The model the build generates for tests and {@code ./sdq}: random weights, the real interface. */
    public static final String DEFAULT_MODEL = "tiny-random";
    /** The worker reads {@code sdq.storage.secret-key} from this variable; it never goes on the command line. */
    public static final String SECRET_ENV = "SDQ_STORAGE_SECRET_KEY";
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final Duration RECORDED_STOP_GRACE = Duration.ofSeconds(30);

    /** A worker process and the id it puts into its events ({@code sdq.worker.id}, its name). */
    public record Worker(String id, AppProcess process, long startedAtMs) {
        /** {@code http://127.0.0.1:<port><path>}, e.g. {@code /q/metrics}. */
        public URI uri(String path) {
            return process.uri(path);
        }

        public long pid() {
            return process.pid();
        }
    }

    /** An app to wait for: one this object launched ({@code process}), or one found running ({@code recorded}). */
    record Launched(String name, int port, Path log, AppProcess process, RecordedApp recorded) {
        boolean isAlive() {
            return process != null ? process.isAlive() : recorded.isAlive();
        }

        long pid() {
            return process != null ? process.pid() : recorded.pid();
        }
    }

    private final LocalSystemOptions options;
    private final Consumer<String> progress;
    private final boolean detached;
    private final List<Worker> workers = new ArrayList<>();
    private final List<Launched> launched = new ArrayList<>();
    private int workerNumber;
    private LocalStack stack;
    private AppProcess dispatcher;
    private Thread shutdownHook;
    private boolean closed;
    private Readiness.Ticker ticker;

    private LocalSystem(LocalSystemOptions options, Consumer<String> progress, boolean detached) {
        this.options = options;
        this.progress = progress;
        this.detached = detached;
        this.ticker = Readiness.everyFifteenSeconds(progress);
    }

    /** {@code <home>/dispatcher/target/quarkus-app/quarkus-run.jar}: the packaged dispatcher. */
    public static Path dispatcherJar(Path home) {
        return home.resolve("dispatcher/target/quarkus-app/quarkus-run.jar");
    }

    /** {@code <home>/worker/target/quarkus-app/quarkus-run.jar}: the packaged worker. */
    public static Path workerJar(Path home) {
        return home.resolve("worker/target/quarkus-app/quarkus-run.jar");
    }

    /** {@code <home>/models/target/<name>}: a model the models module generates in the build. */
    public static Path modelDir(Path home, String name) {
        return home.resolve("models/target").resolve(name);
    }

    /** The repository root: {@code -Dsdq.home}, else the nearest parent of the working directory that is one. */
    public static Path home() {
        return ProjectLayout.locate().root();
    }

    /**
     * Starts a private system: the stack, the dispatcher (if any) and the workers, then waits until each answers
     * {@code /q/health/ready} (a worker: model loaded and warmed up). Everything is a child of this JVM, stopped by
     * {@link #close()} or, if the JVM exits first, by a shutdown hook. On failure whatever started is stopped.
     */
    public static LocalSystem start(LocalSystemOptions options, Consumer<String> progress) {
        LocalSystem system = new LocalSystem(options, progress, false);
        system.checkBuildOutput();
        system.shutdownHook = new Thread(system::closeQuietly, "sdq-local-system-shutdown");
        Runtime.getRuntime().addShutdownHook(system.shutdownHook);
        try {
            system.startStack();
            system.startDispatcher();
            system.startWorkers();
            system.awaitReady();
            progress.accept("system ready: Kafka " + system.bootstrapServers() + (system.dispatcher != null
                    ? ", dispatcher " + system.dispatcherUri() : "") + ", " + system.workers.size() + " worker(s)");
            return system;
        } catch (RuntimeException e) {
            try {
                system.close();
            } catch (RuntimeException stopping) {
                e.addSuppressed(stopping);
            }
            throw e;
        }
    }

    /**
     * For {@code ./sdq up}: a system whose processes outlive this JVM (own session, recorded by PID in
     * {@code run/}). What already runs there is reused; {@link #close()} leaves everything running.
     */
    static LocalSystem detached(LocalSystemOptions options, Consumer<String> progress, Readiness.Ticker ticker) {
        LocalSystem system = new LocalSystem(options, progress, true);
        system.ticker = ticker;
        system.checkBuildOutput();
        return system;
    }

    private void checkBuildOutput() {
        List<Path> needed = new ArrayList<>();
        if (options.dispatcher() != null) {
            needed.add(options.dispatcher().jar());
        }
        if (options.workers() > 0) {
            needed.add(options.worker().jar());
        }
        for (Path jar : needed) {
            if (!Files.isRegularFile(jar)) {
                throw new LocalStackException(jar + " is missing: build first (./sdq builds it; or mvn -B install"
                        + " -DskipTests)");
            }
        }
        if (options.workers() > 0 && !Files.isRegularFile(options.modelDir().resolve("model_index.json"))) {
            throw new LocalStackException("no model at " + options.modelDir() + " (model_index.json missing): set"
                    + " SDQ_MODEL_DIR or build the models module (mvn -B install -DskipTests)");
        }
        if (detached) {
            // Refuse before starting anything when a port we need belongs to someone else.
            if (options.dispatcher() != null) {
                checkPortFree(DISPATCHER, options.dispatcher().port(), "SDQ_DISPATCHER_PORT");
            }
            for (int n = 1; n <= options.workers(); n++) {
                checkPortFree(options.workerName(n), workerPort(n), "SDQ_WORKER_PORT");
            }
        }
    }

    private void checkPortFree(String name, int port, String envVar) {
        if (port > 0 && runningApp(name).isEmpty() && !Ports.isFree(port)) {
            throw new LocalStackException("port " + port + " (for the " + name + ") is already in use by another"
                    + " process: see: ss -ltnp 'sport = :" + port + "'; stop it or set " + envVar + "=<free port>");
        }
    }

    /** The recorded app {@code name} if its process still runs (only a detached system reuses one). */
    private Optional<RecordedApp> runningApp(String name) {
        return detached ? RecordedApp.read(workDir(), name).filter(RecordedApp::isAlive) : Optional.empty();
    }

    void startStack() {
        LocalStackConfig config = options.stack();
        stack = detached ? LocalStack.reuseOrStartDetached(config, progress) : LocalStack.create(config, progress)
                .start();
        if (!options.extraTopics().isEmpty()) {
            stack.createTopics(options.extraTopics());
        }
    }

    void startDispatcher() {
        LocalSystemOptions.App app = options.dispatcher();
        if (app == null || reuse(DISPATCHER)) {
            return;
        }
        int port = app.port() > 0 ? app.port() : Ports.freePorts(1)[0];
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("kafka.bootstrap.servers", stack.bootstrapServers());
        properties.put("quarkus.kafka.devservices.enabled", "false");
        properties.putAll(dispatcherStatusStore(workDir(), DISPATCHER, port));
        properties.putAll(app.properties());
        dispatcher = launch(DISPATCHER, app, port, properties, Map.of());
    }

    /**
     * The job-status store settings of a dispatcher named {@code name} listening on {@code port}: RocksDB state in
     * {@code <workDir>/state/<name>} (its own: two dispatchers must never share one; kept across restarts, so a
     * restart restores from it) and the address the other dispatchers forward its jobs' lookups to.
     */
    public static Map<String, String> dispatcherStatusStore(Path workDir, String name, int port) {
        return Map.of("kafka-streams.state.dir", workDir.resolve("state").resolve(name).toString(),
                "sdq.dispatcher.advertised-address", Ports.HOST + ":" + port);
    }

    void startWorkers() {
        for (int n = 1; n <= options.workers(); n++) {
            if (!reuse(options.workerName(n))) {
                startWorker();
            } else {
                workerNumber = n;
            }
        }
    }

    /** Launches one more worker, named after {@link LocalSystemOptions#workerName(int)}; does not wait for it. */
    public synchronized Worker startWorker() {
        int n = ++workerNumber;
        String name = options.workerName(n);
        Map<String, String> properties = new LinkedHashMap<>(stack.quarkusConfig());
        properties.remove("sdq.storage.secret-key");
        properties.put("sdq.model.dir", options.modelDir().toString());
        properties.put("sdq.worker.id", name);
        properties.putAll(options.worker().properties());
        // The secret by environment, never on the command line (also a caller's override).
        String secret = Optional.ofNullable(properties.remove("sdq.storage.secret-key")).orElse(stack.secretKey());
        AppProcess process = launch(name, options.worker(), workerPort(n), properties, Map.of(SECRET_ENV, secret));
        Worker worker = new Worker(name, process, System.currentTimeMillis());
        workers.add(worker);
        return worker;
    }

    private int workerPort(int n) {
        int base = options.worker().port();
        return base > 0 ? base + n - 1 : 0;
    }

    private boolean reuse(String name) {
        Optional<RecordedApp> running = runningApp(name);
        running.ifPresent(app -> {
            progress.accept(name + " already running (pid " + app.pid() + ")");
            launched.add(new Launched(name, app.port(), logFile(name), null, app));
        });
        return running.isPresent();
    }

    private AppProcess launch(String name, LocalSystemOptions.App app, int port, Map<String, String> properties,
            Map<String, String> environment) {
        Path log = logFile(name);
        AppProcess.Builder builder = AppProcess.builder(name, app.jar(), workDir()).logFile(log)
                .homeDir(workDir().resolve("home")).tmpDir(workDir().resolve("tmp").resolve(name)).detached(detached);
        app.jvmOptions().forEach(builder::jvmOption);
        environment.forEach(builder::environment);
        if (port > 0) {
            builder.httpPort(port);
        }
        AppProcess process = builder.properties(properties).start();
        new RecordedApp(name, process.pid(), process.httpPort(), workDir()).write();
        launched.add(new Launched(name, process.httpPort(), log, process, null));
        progress.accept("starting " + name + " on port " + process.httpPort() + " (pid " + process.pid() + ", log "
                + log + ")");
        return process;
    }

    /** Waits for the dispatcher, then for every worker, to answer {@code /q/health/ready} with 200. */
    void awaitReady() {
        for (Launched app : List.copyOf(launched)) {
            boolean isDispatcher = app.name().equals(DISPATCHER);
            Duration timeout = isDispatcher ? options.dispatcher().readyTimeout() : options.worker().readyTimeout();
            Readiness.await(app, timeout, isDispatcher ? "HTTP + Kafka" : "model load + warm-up", ticker, progress);
        }
    }

    /**
     * Stops the apps recorded in {@code workDir} ({@code ./sdq down}), workers first, by PID and only if the process
     * still carries its marker (SIGTERM, SIGKILL after 30 s), and removes their records. The stack is not touched.
     * Returns the ports they were recorded on.
     */
    static List<Integer> stopRecordedApps(Path workDir, Consumer<String> progress) {
        List<RecordedApp> apps = new ArrayList<>(RecordedApp.all(workDir));
        java.util.Collections.reverse(apps);
        List<ChildProcess> alive = new ArrayList<>();
        for (RecordedApp app : apps) {
            if (app.isAlive()) {
                progress.accept("stopping " + app.name() + " (pid " + app.pid() + ")");
                alive.add(app.process());
            }
        }
        ChildProcess.stopAll(alive, RECORDED_STOP_GRACE);
        apps.forEach(RecordedApp::delete);
        return apps.stream().map(RecordedApp::port).toList();
    }

    public LocalSystemOptions options() {
        return options;
    }

    public Path workDir() {
        return options.workDir();
    }

    /** {@code <workDir>/logs/<name>.log}. */
    public Path logFile(String name) {
        return workDir().resolve("logs").resolve(name + ".log");
    }

    public LocalStack stack() {
        return stack;
    }

    /** The dispatcher this object launched, or null (none configured, or reused by {@code ./sdq up}). */
    public AppProcess dispatcher() {
        return dispatcher;
    }

    /** The dispatcher's base URI ({@code http://127.0.0.1:<port>}), or null if none was started. */
    public URI dispatcherUri() {
        return dispatcher == null ? null : dispatcher.uri("");
    }

    public synchronized List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** Workers whose process is alive (ready or still starting). */
    public synchronized List<Worker> liveWorkers() {
        return workers.stream().filter(worker -> worker.process().isAlive()).toList();
    }

    public String bootstrapServers() {
        return stack.bootstrapServers();
    }

    public String s3Endpoint() {
        return stack.s3Endpoint();
    }

    public String accessKey() {
        return stack.accessKey();
    }

    public String secretKey() {
        return stack.secretKey();
    }

    public String bucket() {
        return stack.bucket();
    }

    public String region() {
        return stack.region();
    }

    /** PIDs of every process started and still known (workers, dispatcher, Kafka, S3Proxy). */
    public synchronized List<Long> pids() {
        List<Long> pids = new ArrayList<>(launched.stream().map(Launched::pid).toList());
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
            System.err.println("local system: could not stop every process: " + e.getMessage());
        }
    }

    /**
     * Stops the workers and the dispatcher (together: SIGTERM to all, SIGKILL after 20 s), then the stack, each by
     * PID. A detached system ({@code ./sdq up}) is left running. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (detached) {
            return;
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook itself is closing
            }
        }
        List<AppProcess> apps = launched.stream().map(Launched::process).filter(p -> p != null).toList();
        try {
            AppProcess.stopAll(apps, STOP_GRACE, stack);
        } finally {
            launched.forEach(app -> new RecordedApp(app.name(), app.pid(), app.port(), workDir()).delete());
        }
    }
}
