package dev.sdqueue.loadtests.worker;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts requests straight onto {@code sdq.generation.requests} (as any producer may: schema/README.md), all at once: a
 * backlog keeps the workers saturated, which is what the worker benches measure (the dispatcher is measured by
 * {@code bench ingest}).
 */
final class RequestBacklog {
    /** The request every job of a worker bench runs. */
    record Shape(String model, int width, int height, int steps, double guidance) {
        GenerationRequested request(String jobId, long seed) {
            return new GenerationRequested(jobId, "a lighthouse on a cliff at dusk, oil painting", null, width, height,
                    steps, guidance, seed, null, 1, model, null);
        }
    }

    private RequestBacklog() {
    }

    /** Sends {@code count} requests (acks=all, flushed) and returns their job ids in order. */
    static List<String> send(String bootstrapServers, Shape shape, int count) {
        List<String> ids = new ArrayList<>(count);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                bootstrapServers, "acks", "all", "linger.ms", 5), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String jobId = UUID.randomUUID().toString();
                ids.add(jobId);
                producer.send(new ProducerRecord<>(Topics.REQUESTS, jobId.getBytes(StandardCharsets.UTF_8),
                        EventJson.toBytes(shape.request(jobId, 1000 + i))));
            }
            producer.flush();
        }
        return ids;
    }
}
