package dev.sdqueue.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * What a started stack wrote to {@code <workDir>/run/stack.state} (plus one {@code <name>.pid} file per child),
 * so {@code ./sdq down}, {@code status} and {@link LocalStack#startOrReuse} find it again from another JVM.
 *
 * @param detached true when started by {@code ./sdq up} (outlives its JVM, reusable by tests); false for a
 *                 private stack that its owner stops on close
 */
record StackState(long kafkaPid, long s3Pid, int kafkaPort, int controllerPort, int s3Port, String accessKey,
        String secretKey, String region, String bucket, boolean detached, Instant startedAt) {

    static final String FILE = "stack.state";

    static Optional<StackState> read(Path runDir) {
        Path file = runDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            return Optional.of(new StackState(Long.parseLong(p.getProperty("kafka.pid")),
                    Long.parseLong(p.getProperty("s3proxy.pid")), Integer.parseInt(p.getProperty("kafka.port")),
                    Integer.parseInt(p.getProperty("kafka.controller.port")),
                    Integer.parseInt(p.getProperty("s3.port")), p.getProperty("s3.access-key"),
                    p.getProperty("s3.secret-key"), p.getProperty("s3.region"), p.getProperty("s3.bucket"),
                    Boolean.parseBoolean(p.getProperty("detached")), Instant.parse(p.getProperty("started-at"))));
        } catch (IOException | RuntimeException e) {
            // A half-written or foreign file: treat as absent; the caller then checks the ports themselves.
            return Optional.empty();
        }
    }

    void write(Path runDir) {
        Properties p = new Properties();
        p.setProperty("kafka.pid", Long.toString(kafkaPid));
        p.setProperty("s3proxy.pid", Long.toString(s3Pid));
        p.setProperty("kafka.port", Integer.toString(kafkaPort));
        p.setProperty("kafka.controller.port", Integer.toString(controllerPort));
        p.setProperty("kafka.bootstrap.servers", Ports.HOST + ":" + kafkaPort);
        p.setProperty("s3.port", Integer.toString(s3Port));
        p.setProperty("s3.endpoint", "http://" + Ports.HOST + ":" + s3Port);
        p.setProperty("s3.access-key", accessKey);
        p.setProperty("s3.secret-key", secretKey);
        p.setProperty("s3.region", region);
        p.setProperty("s3.bucket", bucket);
        p.setProperty("detached", Boolean.toString(detached));
        p.setProperty("started-at", startedAt.toString());
        try {
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve("kafka.pid"), kafkaPid + "\n");
            Files.writeString(runDir.resolve("s3proxy.pid"), s3Pid + "\n");
            // Write-then-rename so a concurrent reader never sees half a file.
            Path tmp = runDir.resolve(FILE + ".tmp");
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(out, "sdqueue local stack (dev.sdqueue.local.LocalStack)");
            }
            Files.move(tmp, runDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LocalStackException("cannot write the stack state under " + runDir + ": " + e.getMessage(), e);
        }
    }

    static void delete(Path runDir) {
        try {
            Files.deleteIfExists(runDir.resolve(FILE));
            Files.deleteIfExists(runDir.resolve("kafka.pid"));
            Files.deleteIfExists(runDir.resolve("s3proxy.pid"));
        } catch (IOException e) {
            throw new LocalStackException("cannot delete the stack state under " + runDir + ": " + e.getMessage(), e);
        }
    }

    String bootstrapServers() {
        return Ports.HOST + ":" + kafkaPort;
    }

    String s3Endpoint() {
        return "http://" + Ports.HOST + ":" + s3Port;
    }

    boolean samePorts(LocalStackConfig config) {
        return kafkaPort == config.kafkaPort() && controllerPort == config.controllerPort()
                && s3Port == config.s3Port();
    }
}
