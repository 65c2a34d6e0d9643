package dev.sdqueue.follower;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/** The offsets a {@link StartPosition} means for given partitions, looked up with the follower's consumer. */
final class StartOffsets {
    private StartOffsets() {
    }

    /**
     * One offsets request per kind (plus one for the partitions with nothing since a timestamp, which start at
     * their end). The end is the consumer's: the last stable offset under read_committed.
     */
    static Map<TopicPartition, Long> resolve(Consumer<?, ?> consumer, StartPosition start,
                                             List<TopicPartition> partitions, Duration timeout) {
        Map<TopicPartition, Long> starts = new HashMap<>();
        if (partitions.isEmpty()) {
            return starts;
        }
        if (start instanceof StartPosition.Beginning) {
            starts.putAll(consumer.beginningOffsets(partitions, timeout));
            return starts;
        }
        if (start instanceof StartPosition.End) {
            starts.putAll(consumer.endOffsets(partitions, timeout));
            return starts;
        }
        // A negative search time would be rejected by the client; 0 means "from the first record".
        long from = Math.max(0, StartPosition.searchMillis(start, System.currentTimeMillis()));
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, from));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        List<TopicPartition> nothingSince = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp offset = found.get(partition);
            if (offset == null) {
                nothingSince.add(partition);
            } else {
                starts.put(partition, offset.offset());
            }
        }
        if (!nothingSince.isEmpty()) {
            starts.putAll(consumer.endOffsets(nothingSince, timeout));
        }
        return starts;
    }
}
