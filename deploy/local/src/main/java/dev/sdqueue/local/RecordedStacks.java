package dev.sdqueue.local;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A stack recorded in a work dir's {@code run/stack.state} by another JVM ({@code ./sdq up}), found again by PID and
 * marker: is it running, which processes are its, stop it.
 */
final class RecordedStacks {
    private RecordedStacks() {
    }

    /**
     * The state of a running stack in {@code config.workDir()} whose processes are alive and answer, or empty.
     * Throws if one runs there on other ports than configured (they would share the data directories).
     */
    static Optional<StackState> liveState(LocalStackConfig config) {
        Optional<StackState> found = StackState.read(config.runDir());
        if (found.isEmpty() || !processesAlive(config, found.get())) {
            return Optional.empty();
        }
        StackState running = found.get();
        if (!running.samePorts(config)) {
            throw new LocalStackException("a local stack already runs in " + config.workDir() + " on ports "
                    + running.kafkaPort() + "/" + running.controllerPort() + "/" + running.s3Port() + " (Kafka/"
                    + "controller/S3) but " + config.kafkaPort() + "/" + config.controllerPort() + "/"
                    + config.s3Port() + " were requested: stop it first (./sdq down) or use the same ports");
        }
        if (!KafkaServer.answers(running.bootstrapServers()) || !S3ProxyServer.answers(running.s3Endpoint())) {
            throw new LocalStackException("the local stack in " + config.workDir() + " (Kafka pid "
                    + running.kafkaPid() + ", S3Proxy pid " + running.s3Pid() + ") runs but does not answer; see "
                    + config.logDir() + " or restart it: ./sdq down && ./sdq up");
        }
        return found;
    }

    static boolean processesAlive(LocalStackConfig config, StackState running) {
        return childrenOf(config, running).stream().allMatch(ChildProcess::isAlive);
    }

    static List<ChildProcess> childrenOf(LocalStackConfig config, StackState running) {
        return List.of(
                new ChildProcess(S3ProxyServer.ROLE, running.s3Pid(), ChildProcess.markerFor(S3ProxyServer.ROLE,
                        config.workDir())),
                new ChildProcess(KafkaServer.ROLE, running.kafkaPid(), ChildProcess.markerFor(KafkaServer.ROLE,
                        config.workDir())));
    }

    /**
     * Stops the stack recorded in {@code config.workDir()} (started by {@code ./sdq up}, or left behind by a
     * killed JVM): by PID, then verifies nothing listens on its ports. Returns false if none was recorded.
     */
    static boolean stopRecorded(LocalStackConfig config, Consumer<String> progress) {
        Optional<StackState> found = StackState.read(config.runDir());
        if (found.isEmpty()) {
            return false;
        }
        StackState running = found.get();
        List<ChildProcess> recorded = childrenOf(config, running);
        for (ChildProcess child : recorded) {
            progress.accept(child.isAlive() ? "stopping " + child.role() + " (pid " + child.pid() + ")"
                    : child.role() + " (pid " + child.pid() + ") is not running");
        }
        ChildProcess.stopAll(recorded, LocalStack.STOP_GRACE);
        StackPreflight.verifyPortsClosed(running.kafkaPort(), running.controllerPort(), running.s3Port());
        StackState.delete(config.runDir());
        return true;
    }
}
