package dev.sdqueue.worker.messaging;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.models.TinyRandomModel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real Kafka broker and S3Proxy on free ports, and the tiny-random model generated into target/. */
public final class WorkerStackResource implements QuarkusTestResourceLifecycleManager {
    static volatile LocalStack stack;

    @Override
    public Map<String, String> start() {
        try {
            Path model = Path.of("target", "test-models", TinyRandomModel.NAME).toAbsolutePath();
            Files.createDirectories(model.getParent());
            TinyRandomModel.write(model);
            stack = LocalStack.forTests().start();
            return Map.of(
                    "kafka.bootstrap.servers", stack.bootstrapServers(),
                    "sdq.model.dir", model.toString(),
                    "sdq.storage.endpoint", stack.s3Endpoint(),
                    "sdq.storage.access-key", stack.accessKey(),
                    "sdq.storage.secret-key", stack.secretKey(),
                    "sdq.storage.bucket", stack.bucket(),
                    "sdq.worker.id", "test-worker",
                    "sdq.defaults.width", "128",
                    "sdq.defaults.height", "128");
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the worker's test stack", e);
        }
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.close();
        }
    }
}
