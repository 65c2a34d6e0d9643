package dev.sdqueue.dispatcher.it;

import dev.sdqueue.local.LocalStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A real broker (and S3Proxy, unused here) in child JVMs on free ports, with the contract topics created. */
public final class KafkaStackResource implements QuarkusTestResourceLifecycleManager {
    private LocalStack stack;

    @Override
    public Map<String, String> start() {
        stack = LocalStack.forTests().start();
        return Map.of("kafka.bootstrap.servers", stack.bootstrapServers());
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.close();
        }
    }
}
