package dev.sdqueue.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The checks around a local stack's start and stop: its work dir, its ports. */
final class StackPreflight {
    private static final Duration PORT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private StackPreflight() {
    }

    /** Stops what is left of a crashed stack recorded in the work dir; refuses one that still runs. */
    static void refuseBusyWorkDir(LocalStackConfig config, Consumer<String> progress) {
        Optional<StackState> recorded = StackState.read(config.runDir());
        if (recorded.isEmpty()) {
            return;
        }
        List<ChildProcess> previous = RecordedStacks.childrenOf(config, recorded.get());
        if (previous.stream().anyMatch(ChildProcess::isAlive)) {
            if (previous.stream().allMatch(ChildProcess::isAlive)) {
                throw new LocalStackException("a local stack already runs in " + config.workDir() + " (Kafka pid "
                        + recorded.get().kafkaPid() + ", S3Proxy pid " + recorded.get().s3Pid()
                        + "): reuse it (LocalStack.startOrReuse) or stop it first (./sdq down)");
            }
            progress.accept("stopping what is left of a previous stack in " + config.workDir());
            ChildProcess.stopAll(previous, LocalStack.STOP_GRACE);
        }
        StackState.delete(config.runDir());
    }

    /** Fails, naming the port and how to choose another, if one of the stack's ports is taken. */
    static void refuseTakenPorts(LocalStackConfig config) {
        checkPortFree(config.kafkaPort(), "Kafka", "SDQ_KAFKA_PORT");
        checkPortFree(config.controllerPort(), "the Kafka controller", "SDQ_KAFKA_CONTROLLER_PORT");
        checkPortFree(config.s3Port(), "S3Proxy", "SDQ_S3_PORT");
    }

    static void checkPortFree(int port, String what, String envVar) {
        if (!Ports.isFree(port)) {
            throw new LocalStackException("port " + port + " (for " + what + ") is already in use by another process."
                    + " See which one with: ss -ltnp 'sport = :" + port + "'; stop it, or pick another port"
                    + " (./sdq: " + envVar + "=<port>; tests: LocalStack.forTests() uses free ports)");
        }
    }

    static void createDirectories(LocalStackConfig config) {
        try {
            for (Path dir : List.of(config.workDir(), config.runDir(), config.logDir(), config.workDir().resolve("tmp"))) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new LocalStackException("cannot create the work dir " + config.workDir() + ": " + e.getMessage(), e);
        }
    }

    /** Waits until nothing accepts connections on {@code ports} any more. */
    static void verifyPortsClosed(int... ports) {
        for (int port : ports) {
            if (!Ports.awaitClosed(port, PORT_CLOSE_TIMEOUT)) {
                throw new LocalStackException("port " + port + " still accepts connections after the stack stopped;"
                        + " see ss -ltnp 'sport = :" + port + "'");
            }
        }
    }
}
