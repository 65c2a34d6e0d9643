package dev.sdqueue.e2e;

import dev.sdqueue.local.AppProcess;
import dev.sdqueue.local.LocalStack;
import dev.sdqueue.local.LocalSystem;
import dev.sdqueue.local.LocalSystemOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole system as real processes: a private {@link LocalSystem} (Kafka and S3Proxy on free ports, one dispatcher
 * and one worker from their packaged jars, the generated tiny-random model) in {@code workDir}. Started once per test
 * class, stopped by PID.
 */
final class RunningSystem implements AutoCloseable {
    final LocalSystem system;
    final LocalStack stack;
    final AppProcess dispatcher;
    final AppProcess worker;

    private RunningSystem(LocalSystem system) {
        this.system = system;
        this.stack = system.stack();
        this.dispatcher = system.dispatcher();
        this.worker = system.workers().get(0).process();
    }

    static RunningSystem start(Path workDir) {
        LocalSystemOptions options = LocalSystemOptions.builder(projectRoot(), workDir)
                .dispatcherJvmOptions(List.of("-Xmx1g")).dispatcherReadyTimeout(Duration.ofSeconds(90))
                .workers(1).workerProperty("sdq.worker.id", "e2e-worker").workerJvmOptions(List.of("-Xmx1g"))
                .workerReadyTimeout(Duration.ofSeconds(180)).build();
        return new RunningSystem(LocalSystem.start(options, line -> System.out.println("[e2e] " + line)));
    }

    static Path projectRoot() {
        String home = System.getProperty("sdq.home");
        Path dir = home != null ? Path.of(home) : Path.of("").toAbsolutePath().getParent();
        return dir.toAbsolutePath().normalize();
    }

    @Override
    public void close() {
        system.close();
    }
}
