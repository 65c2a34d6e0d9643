package dev.sdqueue.ops.dlq;

import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the broker is: {@code --bootstrap}, else {@code $KAFKA_BOOTSTRAP_SERVERS}, else 127.0.0.1:$SDQ_KAFKA_PORT. */
public final class KafkaOptions {
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:$SDQ_KAFKA_PORT, "
                    + "port 9092 when unset)")
    String bootstrap;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "15",
            description = "Bound on each broker lookup and on waiting for acknowledgements (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    public String bootstrapServers() {
        return resolve(bootstrap, System.getenv());
    }

    public Duration timeout() {
        return Duration.ofSeconds(Math.max(1, timeoutSeconds));
    }

    static String resolve(String option, Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String fromEnv = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        String port = env.get("SDQ_KAFKA_PORT");
        return "127.0.0.1:" + (port != null && !port.isBlank() ? port.strip() : "9092");
    }
}
