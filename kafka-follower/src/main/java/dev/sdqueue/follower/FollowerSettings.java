package dev.sdqueue.follower;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** Everything a follower was built with (see {@link TopicFollowerBuilder} for what each means). */
record FollowerSettings<K, V>(
        String clientId,
        Map<String, Object> consumerConfig,
        List<String> topics,
        Predicate<TopicPartition> partitionFilter,
        StartPosition start,
        MissingTopicPolicy missingTopics,
        Deserializer<K> keys,
        Deserializer<V> values,
        TopicFollower.BatchHandler<K, V> handler,
        TopicFollower.StateListener listener,
        Duration pollTimeout,
        Duration partitionRefresh,
        Duration kafkaTimeout,
        Duration retryBackoff,
        Duration closeTimeout) {

    FollowerSettings {
        consumerConfig = Map.copyOf(consumerConfig);
        topics = List.copyOf(topics);
    }

    /** For log lines and errors: the client id names the follower. */
    String name() {
        return "follower " + clientId + " of " + topics;
    }

    String bootstrapServers() {
        return String.valueOf(consumerConfig.get("bootstrap.servers"));
    }
}
