package dev.sdqueue.worker.kafka;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produces requests and reads topics from the beginning, for the worker's integration tests. */
final class KafkaTestClient {
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    private KafkaTestClient() {
    }

    static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : text(header.value());
    }

    static String newJobId() {
        return UUID.randomUUID().toString();
    }

    /** A small valid request (64x64, 2 steps) with a fixed seed. */
    static GenerationRequested validRequest(String jobId) {
        return new GenerationRequested(jobId, "a small red cube", null, 64, 64, 2, 1.0, 11L, null, null, null, null);
    }

    static void send(ProducerRecord<byte[], byte[]> record) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", WorkerStackResource.stack.bootstrapServers(), "acks", "all",
                        "max.request.size", 16 * 1024 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }
    }

    /** A request record on partition 0: records of one partition are processed one after the other. */
    static ProducerRecord<byte[], byte[]> onPartition0(String key, byte[] value) {
        return new ProducerRecord<>(Topics.REQUESTS, 0, utf8(key), value);
    }

    /** Every record of {@code topic} matching {@code match}, once {@code until} holds for them. */
    static List<ConsumerRecord<byte[], byte[]>> read(String topic, Predicate<ConsumerRecord<byte[], byte[]>> match,
                                                     Predicate<List<ConsumerRecord<byte[], byte[]>>> until) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", WorkerStackResource.stack.bootstrapServers(),
                        "max.partition.fetch.bytes", 16 * 1024 * 1024),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(record)) {
                        found.add(record);
                    }
                }
                if (until.test(found)) {
                    return found;
                }
            }
        }
        throw new AssertionError("timed out reading " + topic + "; matched " + found.size() + " record(s)");
    }

    static Predicate<ConsumerRecord<byte[], byte[]>> keyed(String key) {
        return record -> key.equals(text(record.key()));
    }

    /** The job's events up to and including its first terminal event. */
    static List<GenerationEvent> eventsUntilTerminal(String jobId) {
        List<GenerationEvent> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : read(Topics.EVENTS, keyed(jobId),
                found -> found.stream().anyMatch(r -> event(r).terminal()))) {
            GenerationEvent event = event(record);
            events.add(event);
            if (event.terminal()) {
                break;
            }
        }
        return events;
    }

    /** Every event of the job on the topic now (read to the end). */
    static List<GenerationEvent> allEvents(String jobId) {
        return readToEnd(Topics.EVENTS, keyed(jobId)).stream().map(KafkaTestClient::event).toList();
    }

    /** Every record of {@code topic} matching {@code match}, up to the end offsets at the time of the call. */
    static List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic,
                                                          Predicate<ConsumerRecord<byte[], byte[]>> match) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", WorkerStackResource.stack.bootstrapServers(),
                        "max.partition.fetch.bytes", 16 * 1024 * 1024),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("timed out reading " + topic + " to its end");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(record)) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    static GenerationEvent event(ConsumerRecord<byte[], byte[]> record) {
        try {
            return EventJson.fromBytes(record.value(), GenerationEvent.class);
        } catch (Exception e) {
            throw new AssertionError("unreadable event " + text(record.value()), e);
        }
    }

    /** The dead letter of the record keyed {@code key}. */
    static ConsumerRecord<byte[], byte[]> deadLetter(String key) {
        return read(Topics.DEAD_LETTER, keyed(key), found -> !found.isEmpty()).get(0);
    }

    /**
     * Sends a valid job to partition 0 and waits for it to complete: every record sent to partition 0 before it
     * has then been handled (and any retry it caused has been written).
     */
    static void flushPartition0() throws Exception {
        String sentinel = newJobId();
        send(onPartition0(sentinel, EventJson.toBytes(validRequest(sentinel))));
        List<GenerationEvent> events = eventsUntilTerminal(sentinel);
        GenerationEvent last = events.get(events.size() - 1);
        if (!(last instanceof GenerationEvent.Completed)) {
            throw new AssertionError("the sentinel job did not complete: " + last);
        }
    }

    static long terminalCount(List<GenerationEvent> events) {
        return events.stream().filter(GenerationEvent::terminal).count();
    }
}
