package dev.sdqueue.loadtests;

import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The timestamp of each request record (key = job id) the dispatcher writes to {@code sdq.generation.requests}
 * from now on: the producer's create time (ms), i.e. when the dispatcher handed the record to its Kafka producer.
 * Splits "send → worker started" into the dispatcher's part and the queue/dequeue part. Plain consumer, no group.
 */
public final class RequestTimestamps implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread poller;
    private final Map<String, Long> createdMs = new HashMap<>();
    private volatile boolean running = true;

    private RequestTimestamps(KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
        this.poller = new Thread(this::pollLoop, "sdq-bench-request-timestamps");
        this.poller.setDaemon(true);
    }

    /** Positioned at the end of the request topic before returning, then reads on its own thread. */
    public static RequestTimestamps startAtEnd(String bootstrapServers) {
        KafkaConsumer<byte[], byte[]> consumer = TopicTail.openAtEnd(bootstrapServers, Topics.REQUESTS,
                "sdq-bench-requests", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        RequestTimestamps timestamps = new RequestTimestamps(consumer);
        timestamps.poller.start();
        return timestamps;
    }

    private void pollLoop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null) {
                        synchronized (this) {
                            createdMs.putIfAbsent(new String(record.key(), StandardCharsets.UTF_8),
                                    record.timestamp());
                        }
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() woke the poll up
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The create time (epoch ms) of the job's first request record, if seen. */
    public synchronized OptionalLong createdMs(String jobId) {
        Long value = createdMs.get(jobId);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            poller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
