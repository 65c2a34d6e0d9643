package dev.sdqueue.worker.kafka;

import dev.sdqueue.follower.FollowerFailedException;
import dev.sdqueue.follower.MissingTopicPolicy;
import dev.sdqueue.follower.StartPosition;
import dev.sdqueue.follower.TopicFollower;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one partition of {@code sdq.generation.events} with a {@link TopicFollower} of its own (manually assigned, no
 * consumer group): from the first record at or after {@code from}, then tailing. Callers wait for it to pass the
 * broker's end offset; a failed reader (its handler threw) answers "not there" and is no longer alive.
 */
final class EventTopicReader {
    private static final Duration POLL = Duration.ofMillis(100);

    private final TopicFollower<String, byte[]> follower;
    private final TopicPartition partition;

    EventTopicReader(Map<String, Object> connection, String clientId, TopicPartition partition, Instant from,
                     Consumer<ConsumerRecord<String, byte[]>> apply) {
        this.partition = partition;
        this.follower = TopicFollower.builder(new StringDeserializer(), new ByteArrayDeserializer())
                .connection(connection)
                .clientId(clientId + "-" + partition.partition())
                .topics(partition.topic())
                .partitions(List.of(partition))
                .startAt(StartPosition.timestamp(from))
                .whenTopicMissing(MissingTopicPolicy.WAIT)
                // The dispatcher's status view reads committed data only; so does this, so both agree on what ended.
                .readCommitted()
                .property(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000)
                .pollTimeout(POLL)
                .onBatch(batch -> batch.forEach(apply))
                .build();
    }

    EventTopicReader start() {
        follower.start();
        return this;
    }

    TopicPartition partition() {
        return partition;
    }

    boolean isAlive() {
        return follower.alive();
    }

    /**
     * Waits until every record on the broker before this call has been handled: one ListOffsets request (committed
     * end offset, through the follower's own admin client), then the position barrier. False on timeout; throws
     * {@link FollowerFailedException} if the reader failed or the end offset could not be read.
     */
    boolean awaitUpToNow(Duration timeout) throws InterruptedException {
        return follower.awaitUpToNow(timeout);
    }

    void close() {
        follower.close();
    }
}
