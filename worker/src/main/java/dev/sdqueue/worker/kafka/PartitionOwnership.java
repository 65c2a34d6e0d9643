package dev.sdqueue.worker.kafka;

import dev.sdqueue.worker.job.JobAttempt;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Which request partitions this worker owns, and whether one was revoked since a record of it was received. When a
 * partition moves to another worker while a job of it runs here, the new owner gets the (unacknowledged) record
 * again and redoes the job: this worker must then stop and publish nothing, or the job could end twice. Registered
 * as the request channel's rebalance listener ({@code consumer-rebalance-listener.name}); SmallRye calls it on the
 * polling thread, after its own commit handling.
 *
 * <p>A terminal event is written under a partition's read lock ({@link Claim#whileHeld}) and a revocation takes its
 * write lock: the revocation (and so the new owner's first poll of the partition) waits until a terminal event
 * being written here is acknowledged, and no terminal event is written here after it. The new owner's duplicate
 * check then always sees it.
 */
@Singleton
@Identifier(PartitionOwnership.NAME)
public final class PartitionOwnership implements KafkaConsumerRebalanceListener {
    public static final String NAME = "sdq-request-partitions";

    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    /** Revocations per partition: a record received at epoch e is still ours while the epoch is e and it is owned. */
    private final Map<TopicPartition, Long> epochs = new ConcurrentHashMap<>();
    private final Map<TopicPartition, ReadWriteLock> fences = new ConcurrentHashMap<>();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        owned.addAll(partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            Lock fence = fence(tp).writeLock();
            fence.lock(); // waits for a terminal event being written for a record of tp
            try {
                epochs.merge(tp, 1L, Long::sum);
                owned.remove(tp);
            } finally {
                fence.unlock();
            }
        }
    }

    private ReadWriteLock fence(TopicPartition tp) {
        return fences.computeIfAbsent(tp, p -> new ReentrantReadWriteLock());
    }

    /** A claim on a record of {@code topic}-{@code partition} received now. */
    public Claim claim(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        return new Claim(tp, epochs.getOrDefault(tp, 0L));
    }

    /** Still owned without a revocation in between. */
    public final class Claim {
        private final TopicPartition partition;
        private final long epoch;

        private Claim(TopicPartition partition, long epoch) {
            this.partition = partition;
            this.epoch = epoch;
        }

        public boolean held() {
            return owned.contains(partition) && epochs.getOrDefault(partition, 0L) == epoch;
        }

        /** Runs {@code write} while the record is still ours, holding off a revocation of its partition. */
        public <T> T whileHeld(JobAttempt.Write<T> write) throws Exception {
            Lock fence = fence(partition).readLock();
            fence.lock();
            try {
                if (!held()) {
                    throw new JobAttempt.NoLongerOursException(partition + " was revoked since the record arrived");
                }
                return write.run();
            } finally {
                fence.unlock();
            }
        }
    }
}
