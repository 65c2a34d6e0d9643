package dev.sdqueue.loadtests.ingest;

import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads what the dispatcher really writes: one record of the request topic, and the topic's partition count. */
public final class RequestRecordProbe {
    /** Sizes in bytes of one request record as stored: value, key, and all headers (names + values). */
    public record RecordSize(int value, int key, int headers, int headerCount, int partitions) {
    }

    private RequestRecordProbe() {
    }

    /** The first record of {@link Topics#REQUESTS} (any partition); fails if none arrives within the timeout. */
    public static RecordSize probe(String bootstrapServers, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sdq-bench-record-probe");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.REQUESTS, Duration.ofSeconds(15)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    int headers = 0;
                    int count = 0;
                    for (Header header : record.headers()) {
                        headers += header.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                                + (header.value() == null ? 0 : header.value().length);
                        count++;
                    }
                    return new RecordSize(record.serializedValueSize(), Math.max(0, record.serializedKeySize()),
                            headers, count, partitions.size());
                }
            }
        }
        throw new IllegalStateException("no record on " + Topics.REQUESTS + " within " + timeout.toSeconds() + " s");
    }

    /** Creates {@code topic} with {@code partitions} (replication 1: the private stack has one broker). */
    public static void createTopic(String bootstrapServers, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
