package dev.sdqueue.worker.messaging;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.models.TinyRandomModel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
            Map<String, String> config = new HashMap<>(stack.quarkusConfig());
            config.put("sdq.model.dir", model.toString());
            config.put("sdq.worker.id", "test-worker");
            config.put("sdq.defaults.width", "128");
            config.put("sdq.defaults.height", "128");
            return config;
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
