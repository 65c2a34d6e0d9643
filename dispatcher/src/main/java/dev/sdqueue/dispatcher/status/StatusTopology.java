package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The job-status store as a Kafka Streams topology: both contract topics → one {@link JobStatusProcessor} → two
 * persistent (RocksDB) stores with changelogs: {@value #STATUS_STORE} (job id → {@link JobStatus}, timestamped with
 * its latest update) and {@value #EXPIRY_STORE} (expiry + job id → nothing, the TTL index). Both topics feed the same
 * task per partition number, which is why they must be co-partitioned ({@link CoPartitioning}).
 */
public final class StatusTopology {
    public static final String STATUS_STORE = "job-status";
    public static final String EXPIRY_STORE = "job-status-expiry";
    private static final String PROCESSOR = "merge-job-status";

    private StatusTopology() {
    }

    public static Topology build(Duration ttl, Duration scanInterval, StatusCounters counters) {
        Topology topology = new Topology();
        topology.addSource("requests", new StringDeserializer(), new ByteArrayDeserializer(), Topics.REQUESTS);
        topology.addSource("events", new StringDeserializer(), new ByteArrayDeserializer(), Topics.EVENTS);
        topology.addProcessor(PROCESSOR, () -> new JobStatusProcessor(ttl, scanInterval, counters), "requests",
                "events");
        // Changelogs on (Streams creates them compacted): restores and standbys come from them, not from the
        // input topics. No caching: every change reaches the changelog and interactive queries at once.
        topology.addStateStore(Stores.timestampedKeyValueStoreBuilder(
                Stores.persistentTimestampedKeyValueStore(STATUS_STORE), Serdes.String(), jobStatusSerde())
                .withLoggingEnabled(Map.of()).withCachingDisabled(), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EXPIRY_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of()).withCachingDisabled(), PROCESSOR);
        return topology;
    }

    /** The store's values: the contract's JSON mapping, the same bytes {@code GET /v1/generations/{id}} shows. */
    public static Serde<JobStatus> jobStatusSerde() {
        return Serdes.serdeFrom((topic, status) -> status == null ? null : EventJson.toBytes(status),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    try {
                        return EventJson.fromBytes(bytes, JobStatus.class);
                    } catch (IOException e) {
                        throw new SerializationException("unreadable job status in the store", e);
                    }
                });
    }
}
