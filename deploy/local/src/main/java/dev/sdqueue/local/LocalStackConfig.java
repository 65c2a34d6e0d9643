package dev.sdqueue.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of one local stack. Immutable; derive variants with the {@code with...} methods.
 *
 * @param workDir        root of everything the stack writes: {@code kafka/}, {@code s3/}, {@code logs/}, {@code run/}
 * @param kafkaPort      Kafka PLAINTEXT listener on 127.0.0.1
 * @param controllerPort KRaft controller listener on 127.0.0.1
 * @param s3Port         S3Proxy HTTP port on 127.0.0.1
 * @param accessKey      S3 access key S3Proxy enforces
 * @param secretKey      S3 secret key S3Proxy enforces
 * @param region         region clients should sign for (S3Proxy accepts any)
 * @param bucket         bucket created at start (private: anonymous requests are rejected)
 * @param partitions     partitions of the request, retry and event topics (the DLQ has 1)
 * @param ephemeral      delete {@code workDir} when a stack started with this config is closed
 * @param lifecycleDayLength how long a "day" of the S3 server's bucket lifecycle rules lasts: {@code P1D} (real
 *                       days) by default; tests pass e.g. {@code PT2S} so {@code Expiration/Days=1} passes in seconds
 */
public record LocalStackConfig(Path workDir, int kafkaPort, int controllerPort, int s3Port, String accessKey,
        String secretKey, String region, String bucket, int partitions, boolean ephemeral,
        Duration lifecycleDayLength) {

    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_CONTROLLER_PORT = 9093;
    public static final int DEFAULT_S3_PORT = 9000;
    public static final String DEFAULT_ACCESS_KEY = "sdqueue";
    public static final String DEFAULT_SECRET_KEY = "sdqueue-secret";
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_BUCKET = "sdq-images";
    public static final int DEFAULT_PARTITIONS = 3;
    public static final Duration DEFAULT_LIFECYCLE_DAY_LENGTH = Duration.ofDays(1);
    /** The S3 server refuses shorter days (its sweeps are at least 200 ms apart anyway). */
    public static final Duration MIN_LIFECYCLE_DAY_LENGTH = Duration.ofMillis(100);

    public LocalStackConfig {
        Objects.requireNonNull(workDir, "workDir");
        workDir = workDir.toAbsolutePath().normalize();
        checkPort("kafkaPort", kafkaPort);
        checkPort("controllerPort", controllerPort);
        checkPort("s3Port", s3Port);
        if (kafkaPort == controllerPort || kafkaPort == s3Port || controllerPort == s3Port) {
            throw new IllegalArgumentException("ports must differ: kafka " + kafkaPort + ", controller "
                    + controllerPort + ", s3 " + s3Port);
        }
        requireText("accessKey", accessKey);
        requireText("secretKey", secretKey);
        requireText("region", region);
        requireText("bucket", bucket);
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        Objects.requireNonNull(lifecycleDayLength, "lifecycleDayLength");
        if (lifecycleDayLength.compareTo(MIN_LIFECYCLE_DAY_LENGTH) < 0) {
            throw new IllegalArgumentException("lifecycleDayLength must be at least " + MIN_LIFECYCLE_DAY_LENGTH
                    + ", was " + lifecycleDayLength);
        }
    }

    /** The settings without a lifecycle day length: real days ({@link #DEFAULT_LIFECYCLE_DAY_LENGTH}). */
    public LocalStackConfig(Path workDir, int kafkaPort, int controllerPort, int s3Port, String accessKey,
            String secretKey, String region, String bucket, int partitions, boolean ephemeral) {
        this(workDir, kafkaPort, controllerPort, s3Port, accessKey, secretKey, region, bucket, partitions, ephemeral,
                DEFAULT_LIFECYCLE_DAY_LENGTH);
    }

    /** The fixed local defaults of {@code ./sdq up}: work dir {@code <repo>/.sdq}, ports 9092/9093/9000. */
    public static LocalStackConfig defaults() {
        return new LocalStackConfig(ProjectLayout.locate().defaultWorkDir(), DEFAULT_KAFKA_PORT,
                DEFAULT_CONTROLLER_PORT, DEFAULT_S3_PORT, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_REGION,
                DEFAULT_BUCKET, DEFAULT_PARTITIONS, false);
    }

    /**
     * Free random ports and a fresh temporary work dir that is deleted on close, so a test never
     * collides with a running {@code ./sdq up} stack or with another test.
     */
    public static LocalStackConfig forTests() {
        int[] ports = Ports.freePorts(3);
        // Only named here, created by start(): a config derived with withWorkDir leaves no empty dir behind.
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sdq-local-stack-" + UUID.randomUUID());
        return new LocalStackConfig(dir, ports[0], ports[1], ports[2], DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY,
                DEFAULT_REGION, DEFAULT_BUCKET, DEFAULT_PARTITIONS, true);
    }

    public LocalStackConfig withWorkDir(Path dir) {
        return new LocalStackConfig(dir, kafkaPort, controllerPort, s3Port, accessKey, secretKey, region, bucket,
                partitions, ephemeral, lifecycleDayLength);
    }

    public LocalStackConfig withPorts(int kafka, int controller, int s3) {
        return new LocalStackConfig(workDir, kafka, controller, s3, accessKey, secretKey, region, bucket, partitions,
                ephemeral, lifecycleDayLength);
    }

    public LocalStackConfig withCredentials(String access, String secret) {
        return new LocalStackConfig(workDir, kafkaPort, controllerPort, s3Port, access, secret, region, bucket,
                partitions, ephemeral, lifecycleDayLength);
    }

    public LocalStackConfig withBucket(String name) {
        return new LocalStackConfig(workDir, kafkaPort, controllerPort, s3Port, accessKey, secretKey, region, name,
                partitions, ephemeral, lifecycleDayLength);
    }

    public LocalStackConfig withPartitions(int count) {
        return new LocalStackConfig(workDir, kafkaPort, controllerPort, s3Port, accessKey, secretKey, region, bucket,
                count, ephemeral, lifecycleDayLength);
    }

    public LocalStackConfig withEphemeral(boolean deleteOnClose) {
        return new LocalStackConfig(workDir, kafkaPort, controllerPort, s3Port, accessKey, secretKey, region, bucket,
                partitions, deleteOnClose, lifecycleDayLength);
    }

    /** The same stack with lifecycle "days" of {@code length} (e.g. {@code Duration.ofSeconds(2)} in tests). */
    public LocalStackConfig withLifecycleDayLength(Duration length) {
        return new LocalStackConfig(workDir, kafkaPort, controllerPort, s3Port, accessKey, secretKey, region, bucket,
                partitions, ephemeral, length);
    }

    /** {@code 127.0.0.1:<kafkaPort>}. */
    public String bootstrapServers() {
        return Ports.HOST + ":" + kafkaPort;
    }

    /** {@code http://127.0.0.1:<s3Port>}. */
    public String s3Endpoint() {
        return "http://" + Ports.HOST + ":" + s3Port;
    }

    Path runDir() {
        return workDir.resolve("run");
    }

    Path logDir() {
        return workDir.resolve("logs");
    }

    private static void checkPort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be in 1..65535, was " + port);
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
