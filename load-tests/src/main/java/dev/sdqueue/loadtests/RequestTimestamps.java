package dev.sdqueue.loadtests;

import dev.sdqueue.follower.MissingTopicPolicy;
import dev.sdqueue.follower.StartPosition;
import dev.sdqueue.follower.TopicFollower;
import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The timestamp of each request record (key = job id) the dispatcher writes to {@code sdq.generation.requests}
 * from now on: the producer's create time (ms), i.e. when the dispatcher handed the record to its Kafka producer.
 * Splits "send → worker started" into the dispatcher's part and the queue/dequeue part. A {@link TopicFollower}
 * positioned at the end, no group.
 */
public final class RequestTimestamps implements AutoCloseable {
    private final Map<String, Long> createdMs = new HashMap<>();
    private TopicFollower<String, byte[]> follower;

    private RequestTimestamps() {
    }

    /** Positioned at the end of the request topic before returning, then reads on its own thread. */
    public static RequestTimestamps startAtEnd(String bootstrapServers) {
        RequestTimestamps timestamps = new RequestTimestamps();
        timestamps.follower = TopicFollower.builder(new StringDeserializer(), new ByteArrayDeserializer())
                .bootstrapServers(bootstrapServers)
                .clientId("sdq-bench-requests")
                .topics(Topics.REQUESTS)
                .startAt(StartPosition.end())
                .whenTopicMissing(MissingTopicPolicy.FAIL)
                .kafkaTimeout(Duration.ofSeconds(15))
                .onRecord(timestamps::accept)
                .open(Duration.ofSeconds(30));
        return timestamps;
    }

    private synchronized void accept(ConsumerRecord<String, byte[]> record) {
        if (record.key() != null) {
            createdMs.putIfAbsent(record.key(), record.timestamp());
        }
    }

    /** The create time (epoch ms) of the job's first request record, if seen. */
    public synchronized OptionalLong createdMs(String jobId) {
        Long value = createdMs.get(jobId);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    @Override
    public void close() {
        follower.close();
    }
}
