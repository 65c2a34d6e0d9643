package dev.sdqueue.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link LocalSystem} starts. Immutable; build one with {@link #builder(Path, Path)}:
 *
 * <pre>{@code
 * LocalSystemOptions options = LocalSystemOptions.builder(home, workDir).workers(2).model("bench-100ms")
 *         .workerProperty("sdq.pipeline.intra-op-threads", "1").workerJvmOptions(List.of("-Xmx1g")).build();
 * }</pre>
 *
 * @param home        the repository root (where the packaged apps and the generated models are)
 * @param stack       Kafka + S3Proxy: ports, credentials, bucket, partitions; its work dir is the system's
 * @param dispatcher  the dispatcher's launch, or null for a system without one
 * @param workers     how many workers {@link LocalSystem#start} launches (more: {@link LocalSystem#startWorker()})
 * @param workerName  the workers' names (log file, PID file, marker, {@code sdq.worker.id}): with a {@code %d} the
 *                    n-th worker is that format applied to n (1, 2, ...); without, the first is named exactly that and
 *                    the n-th {@code <workerName>-<n>}
 * @param worker      the workers' launch; with a port p, the n-th worker listens on p + n - 1
 * @param modelDir    {@code sdq.model.dir} of every worker
 * @param extraTopics topics created beyond the event contract's (e.g. retry topics of other delays)
 */
public record LocalSystemOptions(Path home, LocalStackConfig stack, App dispatcher, int workers, String workerName,
        App worker, Path modelDir, List<String> extraTopics) {

    /**
     * How one application is launched.
     *
     * @param jar          the packaged Quarkus app's runnable jar
     * @param port         HTTP port; 0: a free one
     * @param properties   {@code -D} properties, after the system's own (so they may override them)
     * @param jvmOptions   JVM options such as {@code -Xmx1g}, before the properties
     * @param readyTimeout how long {@code /q/health/ready} may take to answer 200
     */
    public record App(Path jar, int port, Map<String, String> properties, List<String> jvmOptions,
            Duration readyTimeout) {
        public App {
            Objects.requireNonNull(jar, "jar");
            jar = jar.toAbsolutePath().normalize();
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (free) or in 1..65535, was " + port);
            }
            properties = Map.copyOf(properties);
            jvmOptions = List.copyOf(jvmOptions);
            Objects.requireNonNull(readyTimeout, "readyTimeout");
        }
    }

    public LocalSystemOptions {
        Objects.requireNonNull(home, "home");
        home = home.toAbsolutePath().normalize();
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(modelDir, "modelDir");
        modelDir = modelDir.toAbsolutePath().normalize();
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0, was " + workers);
        }
        if (workerName == null || !workerName.replace("%d", "1").matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("workerName must be letters, digits, '.', '_', '-' (and %d), was "
                    + workerName);
        }
        extraTopics = List.copyOf(extraTopics);
    }

    /**
     * Defaults: free ports for everything, the stack's work dir {@code workDir} (kept on close), the dispatcher,
     * one worker named {@code worker} on the generated {@code tiny-random} model, no extra JVM options, 90 s for
     * the dispatcher and 10 min for a worker to get ready.
     */
    public static Builder builder(Path home, Path workDir) {
        return new Builder(home, workDir);
    }

    /** The system's work dir: stack data, {@code logs/}, {@code run/}, {@code tmp/}, {@code home/}. */
    public Path workDir() {
        return stack.workDir();
    }

    /** The name of the n-th worker (1-based). */
    public String workerName(int n) {
        if (workerName.contains("%d")) {
            return workerName.replace("%d", Integer.toString(n));
        }
        return n == 1 ? workerName : workerName + "-" + n;
    }

    private static final class MutableApp {
        Path jar;
        int port;
        final Map<String, String> properties = new LinkedHashMap<>();
        final List<String> jvmOptions = new ArrayList<>();
        Duration readyTimeout;

        MutableApp(Path jar, Duration readyTimeout) {
            this.jar = jar;
            this.readyTimeout = readyTimeout;
        }

        App build() {
            return new App(jar, port, properties, jvmOptions, readyTimeout);
        }
    }

    /** Mutable; {@link #build()} checks and freezes. */
    public static final class Builder {
        private final Path home;
        private final Path workDir;
        private LocalStackConfig stack;
        private MutableApp dispatcher;
        private MutableApp worker;
        private int workers = 1;
        private String workerName = "worker";
        private Path modelDir;
        private List<String> extraTopics = List.of();

        private Builder(Path home, Path workDir) {
            this.home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
            this.workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath().normalize();
            this.stack = LocalStackConfig.forTests().withWorkDir(this.workDir).withEphemeral(false);
            this.dispatcher = new MutableApp(LocalSystem.dispatcherJar(this.home), Duration.ofSeconds(90));
            this.worker = new MutableApp(LocalSystem.workerJar(this.home), Duration.ofMinutes(10));
            this.modelDir = LocalSystem.modelDir(this.home, LocalSystem.DEFAULT_MODEL);
        }

        /** Ports, credentials, bucket and partitions of the stack (its work dir is always the system's). */
        public Builder stack(LocalStackConfig config) {
            this.stack = config.withWorkDir(workDir);
            return this;
        }

        /** Partitions of the request, retry and event topics (at least the number of workers to keep all busy). */
        public Builder partitions(int count) {
            this.stack = stack.withPartitions(count);
            return this;
        }

        /**
         * Length of a "day" of the S3 server's bucket lifecycle rules (default {@code P1D}); e.g. {@code PT2S} lets a
         * test see an {@code Expiration/Days=1} rule delete an image within seconds.
         */
        public Builder s3LifecycleDayLength(Duration length) {
            this.stack = stack.withLifecycleDayLength(length);
            return this;
        }

        /** Whether to start the dispatcher (default yes). */
        public Builder dispatcher(boolean start) {
            this.dispatcher = start ? (dispatcher != null ? dispatcher
                    : new MutableApp(LocalSystem.dispatcherJar(home), Duration.ofSeconds(90))) : null;
            return this;
        }

        public Builder dispatcherPort(int port) {
            requireDispatcher().port = port;
            return this;
        }

        /** Another dispatcher build (e.g. a patched one, to compare) instead of this repository's. */
        public Builder dispatcherJar(Path jar) {
            requireDispatcher().jar = jar;
            return this;
        }

        public Builder dispatcherProperties(Map<String, String> values) {
            requireDispatcher().properties.putAll(values);
            return this;
        }

        /** Replaces the dispatcher's JVM options. */
        public Builder dispatcherJvmOptions(List<String> options) {
            requireDispatcher().jvmOptions.clear();
            requireDispatcher().jvmOptions.addAll(options);
            return this;
        }

        public Builder dispatcherReadyTimeout(Duration timeout) {
            requireDispatcher().readyTimeout = timeout;
            return this;
        }

        public Builder workers(int count) {
            this.workers = count;
            return this;
        }

        /** See {@link LocalSystemOptions#workerName()}. */
        public Builder workerName(String name) {
            this.workerName = name;
            return this;
        }

        public Builder workerPort(int port) {
            worker.port = port;
            return this;
        }

        public Builder workerJar(Path jar) {
            worker.jar = jar;
            return this;
        }

        public Builder workerProperty(String key, String value) {
            worker.properties.put(key, value);
            return this;
        }

        public Builder workerProperties(Map<String, String> values) {
            worker.properties.putAll(values);
            return this;
        }

        /** Replaces the workers' JVM options. */
        public Builder workerJvmOptions(List<String> options) {
            worker.jvmOptions.clear();
            worker.jvmOptions.addAll(options);
            return this;
        }

        public Builder workerReadyTimeout(Duration timeout) {
            worker.readyTimeout = timeout;
            return this;
        }

        public Builder modelDir(Path dir) {
            this.modelDir = dir;
            return this;
        }

        /** A model the build generates: {@code models/target/<name>} ({@link LocalSystem#modelDir}). */
        public Builder model(String name) {
            return modelDir(LocalSystem.modelDir(home, name));
        }

        public Builder extraTopics(List<String> topics) {
            this.extraTopics = List.copyOf(topics);
            return this;
        }

        public LocalSystemOptions build() {
            return new LocalSystemOptions(home, stack, dispatcher == null ? null : dispatcher.build(), workers,
                    workerName, worker.build(), modelDir, extraTopics);
        }

        private MutableApp requireDispatcher() {
            if (dispatcher == null) {
                throw new IllegalStateException("the dispatcher is switched off (dispatcher(false))");
            }
            return dispatcher;
        }
    }
}
