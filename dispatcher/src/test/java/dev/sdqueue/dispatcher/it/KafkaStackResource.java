package dev.sdqueue.dispatcher.it;

import dev.sdqueue.local.LocalStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real broker (and S3Proxy, unused here) in child JVMs on free ports, with the contract topics created, and a
 * fresh RocksDB state dir under target/ for the application's status store (state never outlives its broker).
 */
public final class KafkaStackResource implements QuarkusTestResourceLifecycleManager {
    private LocalStack stack;
    private Path stateDir;

    @Override
    public Map<String, String> start() {
        stack = LocalStack.forTests().start();
        stateDir = Path.of("target", "kafka-streams-state", UUID.randomUUID().toString()).toAbsolutePath();
        return Map.of("kafka.bootstrap.servers", stack.bootstrapServers(),
                "kafka-streams.state.dir", stateDir.toString());
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.close();
        }
        if (stateDir != null && Files.exists(stateDir)) {
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
