package dev.sdqueue.worker.kafka;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Which request partitions this worker owns, and whether one was revoked since a record of it was received. When a
 * partition moves to another worker while a job of it runs here, the new owner gets the (unacknowledged) record
 * again and redoes the job: this worker must then stop and publish nothing, or the job could end twice. Registered
 * as the request channel's rebalance listener ({@code consumer-rebalance-listener.name}); SmallRye calls it on the
 * polling thread, after its own commit handling.
 */
@Singleton
@Identifier(PartitionOwnership.NAME)
public final class PartitionOwnership implements KafkaConsumerRebalanceListener {
    public static final String NAME = "sdq-request-partitions";

    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    /** Revocations per partition: a record received at epoch e is still ours while the epoch is e and it is owned. */
    private final Map<TopicPartition, Long> epochs = new ConcurrentHashMap<>();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        owned.addAll(partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            epochs.merge(tp, 1L, Long::sum);
        }
        owned.removeAll(partitions);
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
    }
}
