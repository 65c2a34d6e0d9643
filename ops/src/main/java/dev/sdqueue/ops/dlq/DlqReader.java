package dev.sdqueue.ops.dlq;

import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the dead-letter topic with a plain consumer: every partition assigned, from the beginning, no consumer
 * group (nothing committed, so reading never changes what the next reader or the workers see), up to the end
 * offsets as of the start of the read. Keys and values stay raw bytes.
 */
public final class DlqReader implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration timeout;

    public DlqReader(String bootstrapServers, Duration timeout) {
        this(bootstrapServers, Topics.DEAD_LETTER, timeout);
    }

    public DlqReader(String bootstrapServers, String topic, Duration timeout) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "sdq-dlq-tool");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.timeout = timeout;
    }

    /** Hands every record present now to {@code sink}, partition by partition in offset order. */
    public void forEach(Consumer<DlqRecord> sink) {
        List<TopicPartition> partitions = partitions();
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        List<TopicPartition> pending = new ArrayList<>(partitions);
        long lastProgress = System.nanoTime();
        while (true) {
            pending.removeIf(p -> consumer.position(p, timeout) >= end.get(p));
            if (pending.isEmpty()) {
                return;
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            if (!records.isEmpty()) {
                lastProgress = System.nanoTime();
            } else {
                checkStalled(lastProgress, pending);
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    sink.accept(toRecord(r));
                }
            }
        }
    }

    /** poll() does not fail when the broker goes away mid-read: give up after {@code timeout} without records. */
    private void checkStalled(long lastProgress, List<TopicPartition> pending) {
        if (System.nanoTime() - lastProgress > timeout.toNanos()) {
            throw new DlqException("no records from " + pending + " for " + timeout.toSeconds()
                    + " s although more were expected (broker gone?)");
        }
    }

    /** The record at {@code partition:offset}, if the topic still holds it. */
    public Optional<DlqRecord> at(int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        if (partitions().stream().noneMatch(tp::equals)) {
            return Optional.empty();
        }
        long begin = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
        long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
        if (offset < begin || offset >= end) {
            return Optional.empty();
        }
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long started = System.nanoTime();
        while (consumer.position(tp, timeout) < end) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            if (records.isEmpty()) {
                checkStalled(started, List.of(tp));
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.offset() == offset) {
                    return Optional.of(toRecord(r));
                }
                if (r.offset() > offset) {
                    return Optional.empty(); // a compacted or transaction-marker gap
                }
            }
        }
        return Optional.empty();
    }

    private List<TopicPartition> partitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new DlqException("topic " + topic + " does not exist (is this the sdqueue broker?)");
        }
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static DlqRecord toRecord(ConsumerRecord<byte[], byte[]> r) {
        List<DlqRecord.Header> headers = new ArrayList<>();
        r.headers().forEach(h -> headers.add(new DlqRecord.Header(h.key(), h.value())));
        return new DlqRecord(r.topic(), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), r.key(),
                r.value(), headers);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
