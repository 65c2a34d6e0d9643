package dev.sdqueue.loadtests;

import dev.sdqueue.local.AppProcess;
import dev.sdqueue.local.LocalStack;
import dev.sdqueue.local.LocalStackConfig;
import dev.sdqueue.local.LocalSystem;
import dev.sdqueue.local.LocalSystemOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A private system for one benchmark: a {@link LocalSystem} of real processes (its own Kafka + S3Proxy on free ports
 * in a work dir of its own, never the {@code ./sdq up} stack; optionally the dispatcher; N workers
 * {@code bench-worker-<n>}). Every process is a child of this JVM, stopped by PID in {@link #close()} (SIGTERM,
 * SIGKILL after a grace; also on Ctrl-C). Shared API of the benches (ingest, latency, and the worker-side ones):
 *
 * <pre>{@code
 * BenchSystem.Options options = BenchSystem.Options.in(home, workDir).withWorkers(2)
 *         .withModelDir(LocalSystem.modelDir(home, "bench-100ms"))
 *         .withWorkerProperty("sdq.pipeline.intra-op-threads", "1");
 * try (BenchSystem system = BenchSystem.start(options, System.out::println)) {
 *     URI api = system.dispatcherUri();            // null unless withDispatcher(true) (the default)
 *     URI metrics = system.workers().get(0).uri("/q/metrics");
 * }
 * }</pre>
 */
public final class BenchSystem implements AutoCloseable {
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
         * Dispatcher, no worker, the generated {@code tiny-random} model, the stack's default partitions (3), workers with
         * {@code -Xmx1g}, the dispatcher with {@code -Xmx512m}, 5 min to get ready.
         */
        public static Options in(Path home, Path workDir) {
            return new Options(home, workDir, true, 0, LocalSystem.modelDir(home, LocalSystem.DEFAULT_MODEL),
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

        /** The same as options of a private {@link LocalSystem}: workers {@code bench-worker-<n>}. */
        LocalSystemOptions systemOptions() {
            LocalSystemOptions.Builder builder = LocalSystemOptions.builder(home, workDir).partitions(partitions)
                    .dispatcher(dispatcher).workers(workers).workerName("bench-worker-%d").modelDir(modelDir)
                    .workerProperties(workerProperties).workerJvmOptions(workerJvmOptions)
                    .workerReadyTimeout(readyTimeout);
            if (dispatcher) {
                builder.dispatcherProperties(dispatcherProperties).dispatcherJvmOptions(dispatcherJvmOptions)
                        .dispatcherReadyTimeout(readyTimeout);
                if (dispatcherJarOverride != null) {
                    builder.dispatcherJar(dispatcherJarOverride);
                }
            }
            return builder.build();
        }
    }

    private final Options options;
    private final LocalSystem system;

    private BenchSystem(Options options, LocalSystem system) {
        this.options = options;
        this.system = system;
    }

    /**
     * Starts the stack, the dispatcher (if asked) and the workers, and waits until each answers
     * {@code /q/health/ready} (a worker: model loaded and warmed up). On failure whatever started is stopped.
     */
    public static BenchSystem start(Options options, Consumer<String> log) {
        return new BenchSystem(options, LocalSystem.start(options.systemOptions(), log));
    }

    /** Launches one more worker ({@code bench-worker-<n>}); does not wait for it to be ready. */
    public LocalSystem.Worker startWorker() {
        return system.startWorker();
    }

    public List<LocalSystem.Worker> workers() {
        return system.workers();
    }

    /** The dispatcher's base URI ({@code http://127.0.0.1:<port>}), or null if none was started. */
    public URI dispatcherUri() {
        return system.dispatcherUri();
    }

    public AppProcess dispatcher() {
        return system.dispatcher();
    }

    public String bootstrapServers() {
        return system.bootstrapServers();
    }

    public LocalStack stack() {
        return system.stack();
    }

    public Options options() {
        return options;
    }

    /** PIDs of every process started (workers, dispatcher, Kafka, S3Proxy), e.g. to check none is left. */
    public List<Long> pids() {
        return system.pids();
    }

    /** Stops workers and dispatcher (in parallel), then the stack, each by PID. Idempotent. */
    @Override
    public void close() {
        system.close();
    }
}
