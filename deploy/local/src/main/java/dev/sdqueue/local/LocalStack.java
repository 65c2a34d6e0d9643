package dev.sdqueue.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;

/**
 * A real Kafka broker (KRaft, single node) and a real S3Proxy, each in its own child JVM, with the topics of the
 * event contract created. Used by {@code ./sdq up} and by every integration test:
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.forTests().start()) {   // free ports, temp dir deleted on close
 *     producerProps.put("bootstrap.servers", stack.bootstrapServers());
 *     ...
 * }
 * }</pre>
 *
 * {@link #close()} stops the children by PID (SIGTERM, then SIGKILL after a grace period) and checks the ports
 * are free again. A stack obtained by {@link #startOrReuse(LocalStackConfig)} that reused a {@code ./sdq up}
 * stack is left running on close.
 */
public final class LocalStack implements AutoCloseable {
    static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final LocalStackConfig config;
    private final Consumer<String> progress;
    private volatile List<ChildProcess> children = List.of();
    private StackState state;
    private ProjectLayout layout;
    private boolean reused;
    private boolean closed;
    private Thread shutdownHook;

    private LocalStack(LocalStackConfig config, Consumer<String> progress) {
        this.config = config;
        this.progress = progress;
    }

    /** A stack for {@code config}, not started yet; progress lines go to stderr. */
    public static LocalStack create(LocalStackConfig config) {
        return create(config, line -> System.err.println("[local-stack] " + line));
    }

    /** A stack for {@code config}, not started yet, reporting progress lines to {@code progress}. */
    public static LocalStack create(LocalStackConfig config, Consumer<String> progress) {
        return new LocalStack(config, progress);
    }

    /** Not started yet: free random ports and a temporary work dir deleted on close ({@link LocalStackConfig#forTests()}). */
    public static LocalStack forTests() {
        return create(LocalStackConfig.forTests());
    }

    /** {@link #startOrReuse(LocalStackConfig)} with {@link LocalStackConfig#defaults()} (ports 9092/9093/9000). */
    public static LocalStack startOrReuse() {
        return startOrReuse(LocalStackConfig.defaults());
    }

    /**
     * Reuses the stack {@code ./sdq up} started in {@code config.workDir()} if it is running on the configured
     * ports (its state file names live PIDs and both ports answer); closing the result then leaves it running.
     * Otherwise starts a private stack. Either way the contract topics exist afterwards.
     */
    public static LocalStack startOrReuse(LocalStackConfig config) {
        LocalStack stack = create(config);
        Optional<StackState> running = RecordedStacks.liveState(config);
        if (running.isPresent() && running.get().detached()) {
            stack.adopt(running.get());
            return stack;
        }
        return stack.start();
    }

    /**
     * For {@code ./sdq up}: adopts the detached stack running in {@code config.workDir()} (closing the result leaves
     * it running), else starts one that outlives this JVM.
     */
    static LocalStack reuseOrStartDetached(LocalStackConfig config, Consumer<String> progress) {
        LocalStack stack = create(config, progress);
        Optional<StackState> running = RecordedStacks.liveState(config);
        if (running.isPresent()) {
            stack.adopt(running.get());
            return stack;
        }
        return stack.startDetached();
    }

    /** Starts a private stack, stopped by {@link #close()} (or by a shutdown hook if the JVM exits first). */
    public LocalStack start() {
        return launch(false);
    }

    /** Starts a stack that outlives this JVM ({@code ./sdq up}); stop it with {@link #stopDetached}. */
    LocalStack startDetached() {
        return launch(true);
    }

    private synchronized LocalStack launch(boolean detached) {
        if (state != null || closed) {
            throw new IllegalStateException("this LocalStack was already started or closed");
        }
        long begin = System.nanoTime();
        try {
            layout = ProjectLayout.locate();
            // Fail before starting anything when the build output is missing.
            layout.kafkaClasspath();
            layout.s3ProxyClasspath();
            StackPreflight.refuseBusyWorkDir(config, progress);
            StackPreflight.refuseTakenPorts(config);
            StackPreflight.createDirectories(config);
            KafkaServer kafka = new KafkaServer(config, layout);
            S3ProxyServer s3 = new S3ProxyServer(config, layout);

            ChildProcess s3Child = s3.launch(detached, progress);
            children = List.of(s3Child);
            if (!detached) {
                shutdownHook = new Thread(this::stopChildrenQuietly, "sdq-local-stack-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
            ChildProcess kafkaChild = kafka.launch(detached, progress);
            children = List.of(s3Child, kafkaChild);

            awaitReady("S3Proxy", s3Child, s3.logFile(), () -> S3ProxyServer.answers(config.s3Endpoint()));
            awaitReady("Kafka", kafkaChild, kafka.logFile(), () -> KafkaServer.answers(config.bootstrapServers()));
            createTopics(config.bootstrapServers(), config.partitions());
            state = new StackState(kafkaChild.pid(), s3Child.pid(), config.kafkaPort(), config.controllerPort(),
                    config.s3Port(), config.accessKey(), config.secretKey(), config.region(), config.bucket(),
                    detached, Instant.now());
            state.write(config.runDir());
            progress.accept(String.format("ready in %.1f s: Kafka %s (pid %d), S3 %s (pid %d)",
                    (System.nanoTime() - begin) / 1e9, config.bootstrapServers(), kafkaChild.pid(),
                    config.s3Endpoint(), s3Child.pid()));
            return this;
        } catch (RuntimeException e) {
            stopChildrenQuietly();
            removeShutdownHook();
            deleteEphemeralWorkDir();
            throw e;
        }
    }

    /**
     * Stops the broker by PID and waits until it is gone and its ports are closed: SIGTERM (controlled shutdown)
     * or, with {@code forcibly}, SIGKILL (a crash: no shutdown, the log is recovered on the next start). The data
     * dir is kept; {@link #startKafka()} brings the same broker back. Only for a stack this object started.
     */
    public synchronized void stopKafka(boolean forcibly) {
        ChildProcess kafka = ownChild(KafkaServer.ROLE);
        progress.accept((forcibly ? "killing" : "stopping") + " Kafka (pid " + kafka.pid() + ")");
        stopChild(kafka, forcibly);
        StackPreflight.verifyPortsClosed(config.kafkaPort(), config.controllerPort());
    }

    /**
     * Starts the broker again on the same ports and data dir (topics, offsets and committed records survive) and
     * waits until it answers. A no-op if it runs. Returns the new PID.
     */
    public synchronized long startKafka() {
        ChildProcess current = ownChild(KafkaServer.ROLE);
        if (current.isAlive()) {
            return current.pid();
        }
        StackPreflight.checkPortFree(config.kafkaPort(), "Kafka", "SDQ_KAFKA_PORT");
        StackPreflight.checkPortFree(config.controllerPort(), "the Kafka controller", "SDQ_KAFKA_CONTROLLER_PORT");
        KafkaServer kafka = new KafkaServer(config, layout);
        ChildProcess started = kafka.launch(state.detached(), progress);
        replaceChild(KafkaServer.ROLE, started);
        awaitReady("Kafka", started, kafka.logFile(), () -> KafkaServer.answers(config.bootstrapServers()));
        recordPids();
        progress.accept("Kafka answers again on " + config.bootstrapServers() + " (pid " + started.pid() + ")");
        return started.pid();
    }

    /**
     * {@link #stopKafka(boolean)} then {@link #startKafka()}: the broker restarted in place. Returns how long no
     * broker answered (from the stop signal until the new one answers).
     */
    public synchronized Duration restartKafka(boolean forcibly) {
        long begin = System.nanoTime();
        stopKafka(forcibly);
        startKafka();
        return Duration.ofNanos(System.nanoTime() - begin);
    }

    /** Stops S3Proxy by PID (SIGTERM, or SIGKILL with {@code forcibly}) and waits until its port is closed. */
    public synchronized void stopS3Proxy(boolean forcibly) {
        ChildProcess s3 = ownChild(S3ProxyServer.ROLE);
        progress.accept((forcibly ? "killing" : "stopping") + " S3Proxy (pid " + s3.pid() + ")");
        stopChild(s3, forcibly);
        StackPreflight.verifyPortsClosed(config.s3Port());
    }

    /** Starts S3Proxy again on the same port and data dir (stored objects survive); waits until it answers. */
    public synchronized long startS3Proxy() {
        ChildProcess current = ownChild(S3ProxyServer.ROLE);
        if (current.isAlive()) {
            return current.pid();
        }
        StackPreflight.checkPortFree(config.s3Port(), "S3Proxy", "SDQ_S3_PORT");
        S3ProxyServer s3 = new S3ProxyServer(config, layout);
        ChildProcess started = s3.launch(state.detached(), progress);
        replaceChild(S3ProxyServer.ROLE, started);
        awaitReady("S3Proxy", started, s3.logFile(), () -> S3ProxyServer.answers(config.s3Endpoint()));
        recordPids();
        progress.accept("S3Proxy answers again on " + config.s3Endpoint() + " (pid " + started.pid() + ")");
        return started.pid();
    }

    public boolean isKafkaRunning() {
        return ownChild(KafkaServer.ROLE).isAlive();
    }

    public boolean isS3ProxyRunning() {
        return ownChild(S3ProxyServer.ROLE).isAlive();
    }

    /**
     * Creates topics beyond the contract's (e.g. retry topics for other delays) with the configured partitions;
     * existing ones are left alone.
     */
    public void createTopics(List<String> names) {
        try (Admin admin = KafkaServer.admin(bootstrapServers())) {
            KafkaServer.createMissingTopics(admin, names, config.partitions());
        } catch (ExecutionException e) {
            throw new LocalStackException("cannot create topics " + names + " on " + bootstrapServers() + ": "
                    + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while creating topics", e);
        }
    }

    private ChildProcess ownChild(String role) {
        requireStarted();
        if (reused || closed) {
            throw new IllegalStateException("only a running stack this object started can stop or start its "
                    + (reused ? "servers (this one reuses ./sdq up's stack)" : "servers (it is closed)"));
        }
        return children.stream().filter(child -> child.role().equals(role)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + role + " in this stack"));
    }

    private void replaceChild(String role, ChildProcess replacement) {
        children = children.stream().map(child -> child.role().equals(role) ? replacement : child).toList();
    }

    private static void stopChild(ChildProcess child, boolean forcibly) {
        if (forcibly) {
            child.kill();
        } else {
            ChildProcess.stopAll(List.of(child), STOP_GRACE);
        }
    }

    /** Rewrites the state file with the current PIDs, so ./sdq status and stopRecorded see the new processes. */
    private void recordPids() {
        long kafkaPid = ownChild(KafkaServer.ROLE).pid();
        long s3Pid = ownChild(S3ProxyServer.ROLE).pid();
        state = new StackState(kafkaPid, s3Pid, state.kafkaPort(), state.controllerPort(), state.s3Port(),
                state.accessKey(), state.secretKey(), state.region(), state.bucket(), state.detached(),
                state.startedAt());
        state.write(config.runDir());
    }

    private void adopt(StackState running) {
        state = running;
        reused = true;
        createTopics(bootstrapServers(), config.partitions());
        progress.accept("reusing the stack of ./sdq up: Kafka " + bootstrapServers() + " (pid " + running.kafkaPid()
                + "), S3 " + s3Endpoint() + " (pid " + running.s3Pid() + ")");
    }

    private void awaitReady(String what, ChildProcess child, Path log, BooleanSupplier answers) {
        Duration timeout = KafkaServer.startTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!answers.getAsBoolean()) {
            if (!child.isAlive()) {
                throw new LocalStackException(what + " (pid " + child.pid() + ") exited during startup; last lines of "
                        + log + ":\n" + ChildProcess.tail(log, 30));
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException(what + " did not answer within " + timeout.toSeconds() + " s; see " + log);
            }
            Ports.sleep(Duration.ofMillis(200));
        }
    }

    private static void createTopics(String bootstrapServers, int partitions) {
        try (Admin admin = KafkaServer.admin(bootstrapServers)) {
            KafkaServer.ensureTopics(admin, partitions);
        } catch (ExecutionException e) {
            throw new LocalStackException("cannot create the contract topics on " + bootstrapServers + ": "
                    + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while creating topics", e);
        }
    }

    private void stopChildrenQuietly() {
        try {
            ChildProcess.stopAll(children, STOP_GRACE);
        } catch (RuntimeException e) {
            progress.accept("could not stop every child process: " + e.getMessage());
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook itself is stopping the children
            }
            shutdownHook = null;
        }
    }

    /**
     * Stops the children this object started (never a reused {@code ./sdq up} stack), waits until their ports
     * are closed, and deletes the work dir if the config is ephemeral. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (reused || (state != null && state.detached())) {
            return; // a detached stack outlives its launcher; ./sdq down stops it
        }
        if (state != null) {
            ChildProcess.stopAll(children, STOP_GRACE);
            removeShutdownHook();
            StackPreflight.verifyPortsClosed(config.kafkaPort(), config.controllerPort(), config.s3Port());
            StackState.delete(config.runDir());
        }
        deleteEphemeralWorkDir();
    }

    private void deleteEphemeralWorkDir() {
        // Never delete a work dir in which another stack is recorded (e.g. a second start() was refused).
        boolean ours = state != null || StackState.read(config.runDir()).isEmpty();
        if (config.ephemeral() && !reused && ours) {
            try {
                KafkaServer.deleteRecursively(config.workDir());
            } catch (IOException e) {
                throw new LocalStackException("cannot delete the work dir " + config.workDir() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:9092}. */
    public String bootstrapServers() {
        return requireStarted().bootstrapServers();
    }

    /** S3 endpoint, e.g. {@code http://127.0.0.1:9000} (path-style addressing). */
    public String s3Endpoint() {
        return requireStarted().s3Endpoint();
    }

    public String accessKey() {
        return requireStarted().accessKey();
    }

    public String secretKey() {
        return requireStarted().secretKey();
    }

    /** Region to sign for; S3Proxy accepts any, setting it spares clients a location lookup. */
    public String region() {
        return requireStarted().region();
    }

    /** The bucket that exists (private) once the stack runs. */
    public String bucket() {
        return requireStarted().bucket();
    }

    /**
     * The settings an application (or a {@code QuarkusTestResourceLifecycleManager}) needs to use this stack:
     * {@code kafka.bootstrap.servers}, {@code quarkus.kafka.devservices.enabled=false} (else Quarkus looks for
     * Docker), and {@code sdq.storage.endpoint|access-key|secret-key|bucket|region}.
     */
    public Map<String, String> quarkusConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", bootstrapServers());
        config.put("quarkus.kafka.devservices.enabled", "false");
        config.put("sdq.storage.endpoint", s3Endpoint());
        config.put("sdq.storage.access-key", accessKey());
        config.put("sdq.storage.secret-key", secretKey());
        config.put("sdq.storage.bucket", bucket());
        config.put("sdq.storage.region", region());
        return config;
    }

    public LocalStackConfig config() {
        return config;
    }

    public Path workDir() {
        return config.workDir();
    }

    /** True if this object reuses a {@code ./sdq up} stack (and so will not stop it on close). */
    public boolean isReused() {
        return reused;
    }

    public long kafkaPid() {
        return requireStarted().kafkaPid();
    }

    public long s3ProxyPid() {
        return requireStarted().s3Pid();
    }

    /** The broker's log4j log (useful in assertion messages). */
    public Path kafkaLog() {
        return config.logDir().resolve("kafka.log");
    }

    public Path s3ProxyLog() {
        return config.logDir().resolve("s3proxy.log");
    }

    private synchronized StackState requireStarted() {
        if (state == null) {
            throw new IllegalStateException("the LocalStack is not started: call start() first");
        }
        return state;
    }
}
