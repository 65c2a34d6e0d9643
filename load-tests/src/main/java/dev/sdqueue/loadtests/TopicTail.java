package dev.sdqueue.loadtests;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** A plain consumer (no group, no commits) on every partition of a topic, positioned at its end before returning. */
final class TopicTail {
    private TopicTail() {
    }

    /** Positions are resolved before this returns, so a record written afterwards is never missed. */
    static <K, V> KafkaConsumer<K, V> openAtEnd(String bootstrapServers, String topic, String clientId,
                                                Deserializer<K> keys, Deserializer<V> values) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keys, values);
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " not found on " + bootstrapServers);
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(partition -> consumer.position(partition, Duration.ofSeconds(15))); // seek now
            return consumer;
        } catch (RuntimeException e) {
            consumer.close(Duration.ofSeconds(2));
            throw e;
        }
    }
}
