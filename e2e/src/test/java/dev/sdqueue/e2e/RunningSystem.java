package dev.sdqueue.e2e;

import dev.sdqueue.local.AppProcess;
import dev.sdqueue.local.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole system as real processes: Kafka and S3Proxy (local stack on free ports), one dispatcher and one worker
 * from their packaged jars, the generated tiny-random model. Started once per test class, stopped by PID.
 */
final class RunningSystem implements AutoCloseable {
    final LocalStack stack;
    final AppProcess dispatcher;
    final AppProcess worker;

    private RunningSystem(LocalStack stack, AppProcess dispatcher, AppProcess worker) {
        this.stack = stack;
        this.dispatcher = dispatcher;
        this.worker = worker;
    }

    static RunningSystem start(Path workDir) throws Exception {
        Path home = projectRoot();
        Path model = home.resolve("models/target/tiny-random");
        if (!Files.isDirectory(model.resolve("unet"))) {
            throw new IllegalStateException(model + " is missing: the models module generates it in the build");
        }
        LocalStack stack = LocalStack.forTests().start();
        AppProcess dispatcher = null;
        try {
            dispatcher = AppProcess.builder("dispatcher", home.resolve("dispatcher/target/quarkus-app/quarkus-run.jar"),
                    workDir.resolve("dispatcher")).jvmOption("-Xmx1g")
                    .property("kafka.bootstrap.servers", stack.bootstrapServers()).start();
            Map<String, String> workerConfig = new HashMap<>(stack.quarkusConfig());
            workerConfig.put("sdq.model.dir", model.toString());
            workerConfig.put("sdq.worker.id", "e2e-worker");
            AppProcess worker = AppProcess.builder("worker", home.resolve("worker/target/quarkus-app/quarkus-run.jar"),
                    workDir.resolve("worker")).jvmOption("-Xmx1g").properties(workerConfig).start();
            dispatcher.awaitReady(Duration.ofSeconds(90));
            try {
                worker.awaitReady(Duration.ofSeconds(180));
            } catch (RuntimeException e) {
                worker.close();
                throw e;
            }
            return new RunningSystem(stack, dispatcher, worker);
        } catch (Exception e) {
            if (dispatcher != null) {
                dispatcher.close();
            }
            stack.close();
            throw e;
        }
    }

    static Path projectRoot() {
        String home = System.getProperty("sdq.home");
        Path dir = home != null ? Path.of(home) : Path.of("").toAbsolutePath().getParent();
        return dir.toAbsolutePath().normalize();
    }

    @Override
    public void close() throws Exception {
        try {
            worker.close();
        } finally {
            try {
                dispatcher.close();
            } finally {
                stack.close();
            }
        }
    }
}
