package dev.sdqueue.dispatcher.it;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.ConfigProvider;

/** Plain Kafka clients standing in for the worker (producing events) and for auditors (reading topics). */
final class TestKafka {
    private TestKafka() {
    }

    static String bootstrapServers() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    /** Publishes like a worker: keyed by job id, JSON value, CloudEvents binary-mode headers. */
    static RecordMetadata sendEvent(GenerationEvent event) {
        return send(Topics.EVENTS, null, event.jobId(), EventJson.toBytes(event), Headers.eventType(event.type()));
    }

    /**
     * A new job id that the default partitioner puts on {@code partition} of {@code topic}: a marker job there is
     * read after everything sent to that partition before it, and stays where lookups by job id look for it.
     */
    static String idOnPartition(String topic, int partition) {
        int partitions;
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            partitions = partitions(consumer, topic).size();
        }
        while (true) {
            String id = UUID.randomUUID().toString();
            if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions == partition) {
                return id;
            }
        }
    }

    /** Publishes a request like another producer would (not through the dispatcher). */
    static RecordMetadata sendRequest(GenerationRequested request) {
        return send(Topics.REQUESTS, null, request.jobId(), EventJson.toBytes(request), Headers.TYPE_REQUESTED);
    }

    private static RecordMetadata send(String topic, Integer partition, String key, byte[] value, String ceType) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Headers.CONTENT_TYPE, bytes(Headers.JSON));
        headers.add(Headers.CE_SPECVERSION, bytes(Headers.CE_SPECVERSION_VALUE));
        headers.add(Headers.CE_ID, bytes(UUID.randomUUID().toString()));
        headers.add(Headers.CE_TYPE, bytes(ceType));
        headers.add(Headers.CE_SOURCE, bytes("/sdq/test"));
        headers.add(Headers.CE_TIME, bytes(Instant.now().toString()));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(topic, partition, key, value, headers)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    static Map<TopicPartition, Long> endOffsets(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            return consumer.endOffsets(partitions, Duration.ofSeconds(10));
        }
    }

    /** Reads {@code topic} from {@code from} (all partitions) until a record matches {@code last}; returns all read. */
    static List<ConsumerRecord<String, byte[]>> readUntil(String topic, Map<TopicPartition, Long> from,
                                                         Predicate<ConsumerRecord<String, byte[]>> last,
                                                         Duration timeout) {
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r);
                    if (last.test(r)) {
                        return read;
                    }
                }
            }
        }
        throw new AssertionError("no matching record on " + topic + " within " + timeout + "; read " + read.size()
                + " with keys " + read.stream().map(ConsumerRecord::key).collect(Collectors.toList()));
    }

    /** Every record of {@code topic} from {@code from} up to the end offsets as of this call (all partitions). */
    static List<ConsumerRecord<String, byte[]>> readToEnd(String topic, Map<TopicPartition, Long> from,
                                                         Duration timeout) {
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> end = consumer.endOffsets(from.keySet(), Duration.ofSeconds(10));
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }

    /** The record with this key, searched from the beginning of the topic. */
    static ConsumerRecord<String, byte[]> findByKey(String topic, String key, Duration timeout) {
        Map<TopicPartition, Long> beginning;
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            beginning = consumer.beginningOffsets(partitions(consumer, topic), Duration.ofSeconds(10));
        }
        List<ConsumerRecord<String, byte[]>> read = readUntil(topic, beginning, r -> key.equals(r.key()), timeout);
        return read.get(read.size() - 1);
    }

    static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
        return Optional.ofNullable(record.headers().lastHeader(name))
                .map(h -> new String(h.value(), StandardCharsets.UTF_8));
    }

    static List<String> headerNames(ConsumerRecord<?, ?> record) {
        List<String> names = new ArrayList<>();
        record.headers().forEach(h -> names.add(h.key()));
        return names;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
