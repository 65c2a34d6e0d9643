package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.jboss.logging.Logger;

/**
 * Merges the records of one partition of {@link Topics#REQUESTS} and {@link Topics#EVENTS} into the
 * {@value StatusTopology#STATUS_STORE} store with {@link JobStatus#afterRequest} / {@link JobStatus#afterEvent}, and
 * deletes a job {@code ttl} after its latest update.
 *
 * <p>The store's timestamp of a job is the latest record time that changed it; its expiry ({@code timestamp + ttl})
 * is also a key of the {@value StatusTopology#EXPIRY_STORE} index, which a wall-clock punctuator range-scans up to
 * now. Deleting from the store writes a tombstone to its compacted changelog, so standbys and restores forget the
 * job too. A record that would only set a time already past the TTL is not stored (a replay of old records does not
 * bring expired jobs back).
 *
 * <p>A request record is stored under its body's job id (its key when the body has none). Streams routes by key,
 * so a producer that keys a request by something else puts it in another partition's task: it is stored there,
 * where lookups (which go by the job id) do not look, and expires with the TTL. The contract says key = job id;
 * such records are counted ({@link StatusCounters#keyNotJobId()}).
 */
final class JobStatusProcessor implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = Logger.getLogger(JobStatusProcessor.class);
    /** Bound on deletions per scan, so one punctuation never keeps the stream thread from polling for long. */
    static final int MAX_EXPIRIES_PER_SCAN = 20_000;
    /**
     * Larger records are no record of the contract (a valid request is under 64 KiB, an event smaller) and are
     * skipped: stored, one would become a changelog write above the producer's max.request.size (1 MiB), which fails
     * the stream thread, and the store with it, on every restart (the chaos suite's "huge" poison did).
     */
    static final int MAX_RECORD_BYTES = 256 * 1024;
    private static final byte[] PRESENT = new byte[0];

    private final long ttlMillis;
    private final Duration scanInterval;
    private final StatusCounters counters;
    private ProcessorContext<Void, Void> context;
    private TimestampedKeyValueStore<String, JobStatus> statuses;
    private KeyValueStore<Bytes, byte[]> expiries;

    JobStatusProcessor(Duration ttl, Duration scanInterval, StatusCounters counters) {
        this.ttlMillis = ttl.toMillis();
        this.scanInterval = scanInterval;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.statuses = context.getStateStore(StatusTopology.STATUS_STORE);
        this.expiries = context.getStateStore(StatusTopology.EXPIRY_STORE);
        context.schedule(scanInterval, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: nothing to learn
        }
        if (record.value().length > MAX_RECORD_BYTES) {
            skip(record.value().length + " bytes, more than any request or event");
            return;
        }
        boolean event = context.recordMetadata().map(RecordMetadata::topic).filter(Topics.EVENTS::equals)
                .isPresent();
        String jobId;
        UnaryOperator<JobStatus> update;
        try {
            if (event) {
                GenerationEvent e = EventJson.fromBytes(record.value(), GenerationEvent.class);
                if (e == null || e.jobId() == null) {
                    skip(e == null ? "unknown event type" : "no job id");
                    return;
                }
                jobId = e.jobId();
                update = known -> JobStatus.afterEvent(known, e);
            } else {
                GenerationRequested r = EventJson.fromBytes(record.value(), GenerationRequested.class);
                GenerationRequested request = r.jobId() == null && record.key() != null
                        ? r.withJobId(record.key(), r.requestedAt()) : r;
                if (request.jobId() == null) {
                    skip("no job id");
                    return;
                }
                if (!request.jobId().equals(record.key())) {
                    counters.keyNotJobId(1);
                }
                jobId = request.jobId();
                update = known -> JobStatus.afterRequest(known, request);
            }
        } catch (IOException | RuntimeException unreadable) {
            skip(String.valueOf(unreadable.getMessage()));
            return;
        }
        // Outside the try: a store failure must fail the task (and be retried), not count as a skipped record.
        merge(jobId, update, record.timestamp());
        counters.applied(1);
    }

    private void merge(String id, UnaryOperator<JobStatus> update, long recordTime) {
        ValueAndTimestamp<JobStatus> old = statuses.get(id);
        JobStatus known = old == null ? null : old.value();
        JobStatus merged = update.apply(known);
        if (old != null && merged == known) {
            return; // nothing changed: no write, and the TTL still counts from the latest real change
        }
        long updatedAt = old == null ? recordTime : Math.max(old.timestamp(), recordTime);
        long expiresAt = ExpiryKeys.expiry(updatedAt, ttlMillis);
        if (expiresAt <= context.currentSystemTimeMs()) {
            counters.expiredOnArrival(1);
            if (old != null) {
                delete(id, old.timestamp());
            }
            return;
        }
        if (old != null && old.timestamp() != updatedAt) {
            expiries.delete(ExpiryKeys.of(ExpiryKeys.expiry(old.timestamp(), ttlMillis), id));
        }
        expiries.put(ExpiryKeys.of(expiresAt, id), PRESENT);
        statuses.put(id, ValueAndTimestamp.make(merged, updatedAt));
    }

    /** The punctuator: deletes every job whose expiry is due, oldest first. */
    void expire(long now) {
        List<Bytes> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = expiries.range(ExpiryKeys.LOWEST, ExpiryKeys.dueBy(now))) {
            while (it.hasNext() && due.size() < MAX_EXPIRIES_PER_SCAN) {
                due.add(it.next().key);
            }
        }
        int deleted = 0;
        for (Bytes key : due) {
            expiries.delete(key);
            String id = ExpiryKeys.jobId(key);
            ValueAndTimestamp<JobStatus> current = statuses.get(id);
            if (current == null) {
                continue;
            }
            long expiresAt = ExpiryKeys.expiry(current.timestamp(), ttlMillis);
            if (expiresAt <= now) {
                statuses.delete(id);
                deleted++;
            } else if (expiresAt != ExpiryKeys.expiresAt(key)) {
                expiries.put(ExpiryKeys.of(expiresAt, id), PRESENT); // the TTL grew since this entry was written
            }
        }
        counters.expired(deleted);
        if (deleted > 0) {
            LOG.debugf("status store: %d job(s) expired (ttl %d ms)", deleted, ttlMillis);
        }
    }

    private void delete(String id, long timestamp) {
        expiries.delete(ExpiryKeys.of(ExpiryKeys.expiry(timestamp, ttlMillis), id));
        statuses.delete(id);
    }

    private void skip(String why) {
        counters.skipped(1);
        context.recordMetadata().ifPresent(m -> LOG.debugf("status store: skipping %s-%d@%d: %s", m.topic(),
                m.partition(), m.offset(), why));
    }
}
