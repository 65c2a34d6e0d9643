package dev.sdqueue.worker.kafka;

import dev.sdqueue.follower.FollowerFailedException;
import dev.sdqueue.follower.MissingTopicPolicy;
import dev.sdqueue.follower.StartPosition;
import dev.sdqueue.follower.TopicFollower;
import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code sdq.generation.events} with a {@link TopicFollower} of its own: every partition, manually assigned,
 * from {@code lookback} ago (by timestamp) and then tailing; a topic not created yet is waited for. Forgets what
 * ended before the window every {@link #EVICT_EVERY}, on the reader's thread. Callers wait for it to pass given
 * offsets; a failed reader (its handler threw) answers "not there" and is no longer alive.
 */
final class EventTopicReader {
    private static final Duration POLL = Duration.ofMillis(100);
    /** How often new partitions are looked for and old entries evicted. */
    private static final Duration EVICT_EVERY = Duration.ofSeconds(60);

    private final TopicFollower<String, byte[]> follower;
    private final Duration lookback;
    private final LongConsumer evictOlderThan;
    private long nextEviction;

    EventTopicReader(Map<String, Object> connection, String clientId, Duration lookback,
                     Consumer<ConsumerRecord<String, byte[]>> apply, LongConsumer evictOlderThan) {
        this.lookback = lookback;
        this.evictOlderThan = evictOlderThan;
        this.follower = TopicFollower.builder(new StringDeserializer(), new ByteArrayDeserializer())
                .connection(connection)
                .clientId(clientId)
                .topics(Topics.EVENTS)
                .startAt(StartPosition.lookback(lookback))
                .whenTopicMissing(MissingTopicPolicy.WAIT)
                // The dispatcher's status view reads committed data only; so does this, so both agree on what ended.
                .readCommitted()
                .property(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000)
                .pollTimeout(POLL)
                .partitionRefresh(EVICT_EVERY)
                .onBatch(batch -> {
                    batch.forEach(apply);
                    evictNowAndThen();
                })
                .build();
    }

    /** Called after every poll (also an empty one), so the window moves on an idle topic too. */
    private void evictNowAndThen() {
        long now = System.nanoTime();
        if (now - nextEviction >= 0) {
            evictOlderThan.accept(System.currentTimeMillis() - lookback.toMillis());
            nextEviction = now + EVICT_EVERY.toNanos();
        }
    }

    void start() {
        nextEviction = System.nanoTime();
        follower.start();
    }

    boolean isAlive() {
        return follower.alive();
    }

    boolean caughtUp() {
        return follower.caughtUp();
    }

    /** The partitions read (known after the first assignment). */
    List<TopicPartition> partitions() {
        return new ArrayList<>(follower.partitions());
    }

    /** False on timeout or if the reader stopped. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        try {
            return follower.awaitCaughtUp(timeout);
        } catch (FollowerFailedException failed) {
            return false; // logged by the follower; the caller reports the timeout
        }
    }

    /**
     * Waits until every record on the broker before this call has been handled: one ListOffsets request (committed
     * end offsets, through the follower's own admin client), then the position barrier. False on timeout; throws
     * {@link FollowerFailedException} if the reader failed or the end offsets could not be read.
     */
    boolean awaitUpToNow(Duration timeout) throws InterruptedException {
        return follower.awaitUpToNow(timeout);
    }

    /** Waits until every given partition's position reached its target offset; false on timeout or failure. */
    boolean awaitPositions(Map<TopicPartition, Long> targets, Duration timeout) {
        try {
            return follower.awaitPositions(targets, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (FollowerFailedException failed) {
            return false;
        }
    }

    void close() {
        follower.close();
    }
}
