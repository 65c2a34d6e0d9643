package dev.sdqueue.ops.chaos;

import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Read-only questions to the broker: end offsets, record counts, the dead-letter topic's reasons, group lag. */
final class KafkaProbe implements AutoCloseable {
    /** A record on the DLQ: its reason header, the {@code ce_id} it kept from the original record, its value size. */
    record DeadLetter(String reason, String ceId, String key, int valueBytes) {
    }

    private final String bootstrapServers;
    private final Admin admin;

    KafkaProbe(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "sdq-chaos-probe");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        admin = Admin.create(props);
    }

    /** Names of the topics on the broker. */
    java.util.Set<String> topics() throws ExecutionException, InterruptedException, TimeoutException {
        return admin.listTopics().names().get(10, TimeUnit.SECONDS);
    }

    /** Latest offset of every partition of {@code topic}. */
    Map<TopicPartition, Long> endOffsets(String topic) throws ExecutionException, InterruptedException,
            TimeoutException {
        return offsets(topic, OffsetSpec.latest());
    }

    /** Records currently on {@code topic} (end minus start offsets; nothing is deleted during a run). */
    long recordCount(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, Long> end = offsets(topic, OffsetSpec.latest());
        Map<TopicPartition, Long> start = offsets(topic, OffsetSpec.earliest());
        return end.entrySet().stream().mapToLong(e -> e.getValue() - start.getOrDefault(e.getKey(), 0L)).sum();
    }

    private Map<TopicPartition, Long> offsets(String topic, OffsetSpec spec) throws ExecutionException,
            InterruptedException, TimeoutException {
        var description = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    /**
     * Records the group has not committed yet on {@code topics}, per partition with any (end offset minus committed
     * offset; a partition without a commit counts from its start).
     */
    Map<TopicPartition, Long> lag(String group, Collection<String> topics) throws ExecutionException,
            InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> lag = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
        for (String topic : topics) {
            Map<TopicPartition, Long> start = offsets(topic, OffsetSpec.earliest());
            for (Map.Entry<TopicPartition, Long> end : offsets(topic, OffsetSpec.latest()).entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                long from = done != null ? done.offset() : start.getOrDefault(end.getKey(), 0L);
                if (end.getValue() > from) {
                    lag.put(end.getKey(), end.getValue() - from);
                }
            }
        }
        return lag;
    }

    /** Every record on the DLQ, read from the beginning up to its current end. */
    List<DeadLetter> deadLetters() throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, Long> end = endOffsets(Topics.DEAD_LETTER);
        List<DeadLetter> letters = new ArrayList<>();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sdq-chaos-dlq");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Oversized poison records land here too.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("reading " + Topics.DEAD_LETTER + " took longer than 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    letters.add(new DeadLetter(header(record, Headers.DLQ_REASON), header(record, Headers.CE_ID),
                            record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                            record.value() == null ? 0 : record.value().length));
                }
            }
        }
        return letters;
    }

    /** Dead letters per reason (absent header: {@code (none)}), sorted by reason. */
    static Map<String, Long> byReason(List<DeadLetter> letters) {
        Map<String, Long> counts = new TreeMap<>();
        letters.forEach(letter -> counts.merge(letter.reason() == null ? "(none)" : letter.reason(), 1L, Long::sum));
        return counts;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
