package dev.sdqueue.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where {@code ./sdq up} runs what: options of {@link LocalSystemCli}, each defaulting to the {@code SDQ_*}
 * environment variable {@code ./sdq} documents (hidden from the usage help, which {@code ./sdq help} covers).
 */
final class LauncherOptions {
    /** The one worker {@code ./sdq up} starts (log {@code worker.log}, PID file {@code worker.pid}). */
    static final String WORKER = "worker";

    @Option(hidden = true, names = "--work-dir", description = "Work dir (default: $SDQ_WORK_DIR or <repo>/.sdq).",
            defaultValue = "${env:SDQ_WORK_DIR}")
    Path workDir;

    @Option(hidden = true, names = "--kafka-port", defaultValue = "${env:SDQ_KAFKA_PORT:-9092}")
    int kafkaPort;

    @Option(hidden = true, names = "--controller-port", defaultValue = "${env:SDQ_KAFKA_CONTROLLER_PORT:-9093}")
    int controllerPort;

    @Option(hidden = true, names = "--s3-port", defaultValue = "${env:SDQ_S3_PORT:-9000}")
    int s3Port;

    @Option(hidden = true, names = "--dispatcher-port", defaultValue = "${env:SDQ_DISPATCHER_PORT:-8080}")
    int dispatcherPort;

    @Option(hidden = true, names = "--worker-port", defaultValue = "${env:SDQ_WORKER_PORT:-8081}")
    int workerPort;

    @Option(hidden = true, names = "--access-key", defaultValue = "${env:SDQ_S3_ACCESS_KEY:-sdqueue}")
    String accessKey;

    @Option(hidden = true, names = "--secret-key", defaultValue = "${env:SDQ_S3_SECRET_KEY:-sdqueue-secret}")
    String secretKey;

    @Option(hidden = true, names = "--bucket", defaultValue = "${env:SDQ_S3_BUCKET:-sdq-images}")
    String bucket;

    @Option(hidden = true, names = "--partitions", defaultValue = "${env:SDQ_PARTITIONS:-3}")
    int partitions;

    @Option(hidden = true, names = "--s3-lifecycle-day-length", paramLabel = "DURATION",
            description = "Length of a bucket lifecycle day of the local S3 server (ISO-8601, default P1D).",
            defaultValue = "${env:SDQ_S3_LIFECYCLE_DAY_LENGTH:-P1D}")
    Duration s3LifecycleDayLength;

    @Option(hidden = true, names = "--model-dir", description = "Model folder (default: $SDQ_MODEL_DIR or models/target/tiny-random).",
            defaultValue = "${env:SDQ_MODEL_DIR}")
    Path modelDir;

    @Option(hidden = true, names = "--dispatcher-jar", defaultValue = "${env:SDQ_DISPATCHER_JAR}")
    Path dispatcherJar;

    @Option(hidden = true, names = "--worker-jar", defaultValue = "${env:SDQ_WORKER_JAR}")
    Path workerJar;

    @Option(hidden = true, names = "--dispatcher-opts", description = "Extra JVM options of the dispatcher, space-separated.",
            defaultValue = "${env:SDQ_DISPATCHER_OPTS}")
    String dispatcherOpts;

    @Option(hidden = true, names = "--worker-opts", description = "Extra JVM options of the worker, space-separated.",
            defaultValue = "${env:SDQ_WORKER_OPTS}")
    String workerOpts;

    @Option(hidden = true, names = "--dispatcher-ready-timeout", paramLabel = "SECONDS",
            defaultValue = "${env:SDQ_DISPATCHER_READY_TIMEOUT:-90}")
    long dispatcherReadyTimeout;

    @Option(hidden = true, names = "--worker-ready-timeout", paramLabel = "SECONDS",
            defaultValue = "${env:SDQ_WORKER_READY_TIMEOUT:-600}")
    long workerReadyTimeout;

    Path home() {
        return LocalSystem.home();
    }

    Path workDir() {
        return (workDir != null ? workDir : home().resolve(".sdq")).toAbsolutePath().normalize();
    }

    LocalStackConfig stackConfig() {
        return LocalStackConfig.defaults().withWorkDir(workDir()).withPorts(kafkaPort, controllerPort, s3Port)
                .withCredentials(accessKey, secretKey).withBucket(bucket).withPartitions(partitions)
                .withLifecycleDayLength(s3LifecycleDayLength);
    }

    Path modelDir() {
        return modelDir != null ? modelDir.toAbsolutePath().normalize()
                : LocalSystem.modelDir(home(), LocalSystem.DEFAULT_MODEL);
    }

    /** What {@code ./sdq up} starts: the stack, the dispatcher and one worker named {@value #WORKER}. */
    LocalSystemOptions systemOptions() {
        Path home = home();
        LocalSystemOptions.Builder builder = LocalSystemOptions.builder(home, workDir()).stack(stackConfig())
                .dispatcherPort(dispatcherPort).dispatcherJvmOptions(split(dispatcherOpts))
                .dispatcherReadyTimeout(Duration.ofSeconds(dispatcherReadyTimeout))
                .workers(1).workerName(WORKER).workerPort(workerPort).workerJvmOptions(split(workerOpts))
                .workerReadyTimeout(Duration.ofSeconds(workerReadyTimeout)).modelDir(modelDir());
        if (dispatcherJar != null) {
            builder.dispatcherJar(dispatcherJar);
        }
        if (workerJar != null) {
            builder.workerJar(workerJar);
        }
        return builder.build();
    }

    private static List<String> split(String options) {
        return options == null || options.isBlank() ? List.of() : Arrays.asList(options.strip().split("\\s+"));
    }
}
