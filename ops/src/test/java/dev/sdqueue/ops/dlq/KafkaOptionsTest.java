package dev.sdqueue.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaOptionsTest {
    @Test
    void optionThenEnvironmentThenTheLocalPort() {
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "SDQ_KAFKA_PORT", "19092");
        assertThat(KafkaOptions.resolve("broker:1234", env)).isEqualTo("broker:1234");
        assertThat(KafkaOptions.resolve(null, env)).isEqualTo("kafka:9092");
        assertThat(KafkaOptions.resolve(null, Map.of("SDQ_KAFKA_PORT", "19092"))).isEqualTo("127.0.0.1:19092");
        assertThat(KafkaOptions.resolve(" ", Map.of())).isEqualTo("127.0.0.1:9092");
    }
}
