package dev.sdqueue.dispatcher.status;

import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Finds a job's status from any replica. Kafka Streams knows which replica hosts the id's partition
 * ({@link KafkaStreams#queryMetadataForKey}): this one → its local store; another → this replica's own standby copy
 * of that partition when it holds the job and is final or fresh ({@link StandbyLags}), else that replica's internal
 * endpoint ({@link StatusForwarder}); if the active copy cannot answer, a standby copy; else
 * {@link Lookup.Unavailable}, never a false "missing". Jobs this replica accepted moments ago come from
 * {@link AcceptedJobs} when no store has them.
 */
public final class StatusLookup {
    private static final Serializer<String> KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final StatusForwarder forwarder;
    private final StandbyLags standbyLags;
    private final AcceptedJobs accepted;
    private final StatusCounters counters;
    private final long ttlMillis;
    private final LongSupplier clock;

    /** @param self this replica's {@code application.server}, as the other replicas reach it */
    public StatusLookup(KafkaStreams streams, HostInfo self, StatusForwarder forwarder, StandbyLags standbyLags,
                        AcceptedJobs accepted, StatusCounters counters, Duration ttl, LongSupplier clock) {
        this.streams = streams;
        this.self = self;
        this.forwarder = forwarder;
        this.standbyLags = standbyLags;
        this.accepted = accepted;
        this.counters = counters;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    /**
     * For {@code GET /v1/generations/{id}}: wherever the job is. Never blocks: a local store answers at once, a
     * forwarded lookup completes on the HTTP client's thread.
     */
    public CompletableFuture<Lookup> findAsync(String jobId) {
        return fromStores(jobId).thenApply(found -> {
            Lookup answer = found;
            if (found instanceof Lookup.Found || found instanceof Lookup.Forwarded) {
                accepted.forget(jobId);
            } else {
                Optional<JobStatus> mine = accepted.get(jobId);
                if (mine.isPresent()) {
                    answer = new Lookup.Found(mine.get(), Lookup.Source.ACCEPTED);
                }
            }
            counters.lookup(answer.source());
            return answer;
        });
    }

    /** {@link #findAsync} for callers that may block (a worker thread). */
    public Lookup find(String jobId) {
        return findAsync(jobId).join();
    }

    /**
     * For the idempotency check: the status, or empty if no job has the id.
     *
     * @throws StatusUnavailableException if that cannot be known right now
     */
    public Optional<JobStatus> status(String jobId) {
        Lookup found = find(jobId);
        if (found instanceof Lookup.Found f) {
            return Optional.of(f.status());
        }
        if (found instanceof Lookup.Forwarded f) {
            return Optional.of(f.status());
        }
        if (found instanceof Lookup.Unavailable u) {
            throw new StatusUnavailableException(u.reason());
        }
        return Optional.empty();
    }

    /**
     * For the internal endpoint: this replica's own copy only. {@code standby}: a standby copy may answer (stale,
     * so its "missing" is not authoritative and answered as unavailable).
     */
    public Lookup findHere(String jobId, boolean standby) {
        KeyQueryMetadata metadata = metadata(jobId);
        if (metadata == null) {
            return new Lookup.Unavailable("status store is " + streams.state());
        }
        Lookup found = local(jobId, metadata.partition(), standby);
        return standby && found instanceof Lookup.Missing ? new Lookup.Unavailable("standby copy only") : found;
    }

    /** Approximate number of jobs in this replica's active stores (RocksDB's estimate); -1 when not queryable. */
    public long localJobs() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(StatusTopology.STATUS_STORE,
                    QueryableStoreTypes.keyValueStore())).approximateNumEntries();
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return -1;
        }
    }

    private CompletableFuture<Lookup> fromStores(String jobId) {
        KeyQueryMetadata metadata = metadata(jobId);
        if (metadata == null) {
            return CompletableFuture.completedFuture(new Lookup.Unavailable("status store is " + streams.state()));
        }
        int partition = metadata.partition();
        HostInfo active = metadata.activeHost();
        // This replica's own standby copy, read once: it answers now if exact enough, else after an unavailable owner.
        Lookup ownCopy = !active.equals(self) && metadata.standbyHosts().contains(self)
                ? local(jobId, partition, true) : null;
        if (ownCopy instanceof Lookup.Found found && (found.status().settled() || standbyLags.fresh(partition))) {
            return CompletableFuture.completedFuture(found);
        }
        CompletableFuture<Lookup> fromActive = active.equals(self)
                ? CompletableFuture.completedFuture(local(jobId, partition, false))
                : forwarder.fetch(active, jobId, false);
        return fromActive.thenCompose(found -> found instanceof Lookup.Unavailable
                ? fromStandbys(jobId, partition, metadata.standbyHosts().iterator(), ownCopy, found)
                : CompletableFuture.completedFuture(found));
    }

    /** Standbys one after the other; a standby may lag, so only a hit counts (its "missing" could be a false 404). */
    private CompletableFuture<Lookup> fromStandbys(String jobId, int partition, Iterator<HostInfo> standbys,
                                                   Lookup ownCopy, Lookup otherwise) {
        if (!standbys.hasNext()) {
            return CompletableFuture.completedFuture(otherwise);
        }
        HostInfo standby = standbys.next();
        CompletableFuture<Lookup> copy = standby.equals(self)
                ? CompletableFuture.completedFuture(ownCopy != null ? ownCopy : local(jobId, partition, true))
                : forwarder.fetch(standby, jobId, true);
        return copy.thenCompose(found -> found instanceof Lookup.Found || found instanceof Lookup.Forwarded
                ? CompletableFuture.completedFuture(found)
                : fromStandbys(jobId, partition, standbys, ownCopy, otherwise));
    }

    private KeyQueryMetadata metadata(String jobId) {
        if (!streams.state().isRunningOrRebalancing()) {
            return null;
        }
        try {
            KeyQueryMetadata metadata = streams.queryMetadataForKey(StatusTopology.STATUS_STORE, jobId, KEYS);
            return metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) ? null : metadata;
        } catch (IllegalStateException | InvalidStateStoreException e) {
            return null; // not started yet or shutting down
        }
    }

    private Lookup local(String jobId, int partition, boolean standby) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, ValueAndTimestamp<JobStatus>>> query =
                StoreQueryParameters.fromNameAndType(StatusTopology.STATUS_STORE,
                        QueryableStoreTypes.<String, JobStatus>timestampedKeyValueStore()).withPartition(partition);
        try {
            ValueAndTimestamp<JobStatus> value = streams.store(standby ? query.enableStaleStores() : query)
                    .get(jobId);
            // Expired but not yet swept by the TTL scan: already gone as far as clients are concerned.
            if (value == null || ExpiryKeys.expiry(value.timestamp(), ttlMillis) <= clock.getAsLong()) {
                return new Lookup.Missing();
            }
            return new Lookup.Found(value.value(), standby ? Lookup.Source.STANDBY : Lookup.Source.LOCAL);
        } catch (InvalidStateStoreException | IllegalStateException e) {
            // Rebalancing, restoring, migrated, or shutting down between the state check and the query.
            return new Lookup.Unavailable("partition " + partition + " not queryable here: " + e.getMessage());
        }
    }
}
