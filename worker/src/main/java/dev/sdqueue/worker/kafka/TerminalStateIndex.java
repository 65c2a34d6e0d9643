package dev.sdqueue.worker.kafka;

import dev.sdqueue.follower.FollowerFailedException;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.job.TerminalStates;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which jobs have a terminal event on {@code sdq.generation.events}, for this worker's idempotency checks, read only
 * where and as far back as the jobs this worker receives need: no history is replayed at startup.
 *
 * <p>A job's events are keyed by its id, so they all sit on one events partition. When a request (or retry) record
 * arrives, the consumer {@linkplain #cover covers} its job: that partition is read from the record's timestamp minus
 * {@code sdq.worker.idempotency.margin}. That is enough: a terminal event that could make this delivery a duplicate
 * was written by an earlier delivery of the same record (after it was appended), or by a second record of the same
 * job id appended within the margin (two dispatcher replicas accepting one idempotency key; clock skew between
 * producers). With the request and event topics co-partitioned (checked at startup), a worker reads exactly the
 * event partitions of the request partitions it owns, from its oldest unprocessed record on: the cost of a start is
 * the backlog's age plus the margin, not the topic's retention.
 *
 * <p>A lookup is exact with respect to the broker: before answering "not terminal" it asks for the partition's end
 * offset (one ListOffsets request) and waits until it has read up to it, so a terminal event any worker had
 * acknowledged before the lookup is seen. Memory: events are forgotten {@code retention} before the oldest time a
 * partition was last asked for, and partitions not asked for within {@code retention} (revoked) stop being read; a
 * later record that needs older events has its partition read again from further back.
 */
public final class TerminalStateIndex implements TerminalStates, EventCoverage, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TerminalStateIndex.class);
    private static final String COMPLETED = Headers.eventType(GenerationEvent.COMPLETED);
    private static final String FAILED = Headers.eventType(GenerationEvent.FAILED);
    private static final Duration EVICT_EVERY = Duration.ofSeconds(30);

    private final Map<String, Object> connection;
    private final String clientId;
    private final WorkerConfig.Worker.Idempotency config;
    private final ToIntFunction<String> partitionOfJob;
    private final Clock clock;
    private final Map<String, Terminal> terminals = new ConcurrentHashMap<>();
    /** Guarded by {@code this}. */
    private final Map<Integer, Covered> readers = new HashMap<>();
    private long nextEvictionNanos = System.nanoTime();
    private boolean closed;

    private record Terminal(String type, long atMillis, int partition) {
    }

    /**
     * A partition being read: the time from which its terminal events are all known (the reader's start, raised
     * when older ones are forgotten), and the latest time a job asked for (records arrive roughly in time order).
     * Guarded by the index's lock.
     */
    private static final class Covered {
        final EventTopicReader reader;
        long knownFromMillis;
        long lastAskedFromMillis;
        long lastAskedNanos;

        Covered(EventTopicReader reader, long fromMillis) {
            this.reader = reader;
            this.knownFromMillis = fromMillis;
            this.lastAskedFromMillis = fromMillis;
            this.lastAskedNanos = System.nanoTime();
        }
    }

    /**
     * @param partitionOfJob the events partition a job's events are written to (the producer's partitioner)
     */
    public TerminalStateIndex(Map<String, Object> connection, String clientId, WorkerConfig.Worker.Idempotency config,
                              ToIntFunction<String> partitionOfJob, Clock clock) {
        this.connection = Map.copyOf(connection);
        this.clientId = clientId;
        this.config = config;
        this.partitionOfJob = partitionOfJob;
        this.clock = clock;
    }

    /**
     * A record naming {@code jobId}, appended at {@code recordTime}, is about to be handled: its job's events partition
     * must be read from {@code recordTime - margin} (bounded by {@code max-lookback}). Starts a reader, or restarts
     * one that started later than that. Returns at once; a lookup waits for the reader.
     */
    @Override
    public void cover(String jobId, Instant recordTime) {
        long now = clock.millis();
        long from = Math.max(Math.min(recordTime.toEpochMilli(), now) - config.margin().toMillis(),
                now - config.maxLookback().toMillis());
        int partition = partitionOfJob.applyAsInt(jobId);
        List<EventTopicReader> stopped = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            Covered covered = readers.get(partition);
            if (covered != null && covered.reader.isAlive() && covered.knownFromMillis <= from) {
                covered.lastAskedFromMillis = Math.max(covered.lastAskedFromMillis, from);
                covered.lastAskedNanos = System.nanoTime();
            } else {
                if (covered != null) {
                    LOG.infof("reading %s-%d again, from %s (known from %s%s)", Topics.EVENTS, partition,
                            Instant.ofEpochMilli(from), Instant.ofEpochMilli(covered.knownFromMillis),
                            covered.reader.isAlive() ? "" : ", reader failed");
                    stopped.add(covered.reader);
                }
                readers.put(partition, new Covered(startReader(partition, Instant.ofEpochMilli(from)), from));
            }
            evictNowAndThen(now, stopped);
        }
        closeAll(stopped);
    }

    @Override
    public Optional<String> terminalOf(String jobId) throws UnavailableException {
        Terminal known = terminals.get(jobId);
        if (known != null) {
            return Optional.of(known.type());
        }
        EventTopicReader reader = readerFor(jobId);
        if (!awaitUpToNow(reader)) {
            // If the reader was replaced meanwhile (read again from further back), its successor answers.
            EventTopicReader current = readerFor(jobId);
            if (current == reader || !awaitUpToNow(current)) {
                throw new UnavailableException("the terminal-state index did not catch up with "
                        + current.partition() + " within " + config.syncTimeout().toSeconds() + " s", null);
            }
        }
        return Optional.ofNullable(terminals.get(jobId)).map(Terminal::type);
    }

    /** False on timeout or if the reader was closed. */
    private boolean awaitUpToNow(EventTopicReader reader) throws UnavailableException {
        try {
            return reader.awaitUpToNow(config.syncTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while syncing with " + reader.partition(), e);
        } catch (FollowerFailedException e) {
            throw new UnavailableException("cannot sync with " + reader.partition() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void published(String jobId, String type) {
        terminals.putIfAbsent(jobId, new Terminal(type, clock.millis(), partitionOfJob.applyAsInt(jobId)));
    }

    /** The reader of the job's partition; a job nobody covered (not expected) is covered from now. */
    private EventTopicReader readerFor(String jobId) throws UnavailableException {
        int partition = partitionOfJob.applyAsInt(jobId);
        EventTopicReader reader = currentReader(partition);
        if (reader == null) {
            LOG.warnf("job %s was looked up before a record of it was received: reading its partition from %s ago",
                    jobId, config.margin());
            cover(jobId, clock.instant()); // not under the lock: it may close readers
            reader = currentReader(partition);
            if (reader == null) { // evicted at once: not expected
                throw new UnavailableException("no reader of " + Topics.EVENTS + "-" + partition, null);
            }
        }
        return reader;
    }

    /** Null if the partition is not read. */
    private synchronized EventTopicReader currentReader(int partition) throws UnavailableException {
        if (closed) {
            throw new UnavailableException("the terminal-state index is closed", null);
        }
        Covered covered = readers.get(partition);
        return covered == null ? null : covered.reader;
    }

    /**
     * Closes readers taken out of {@code readers}. Not under the lock: a close waits for the reader's thread (up
     * to twice its close timeout), which would block the consumer's covers, lookups and health checks meanwhile.
     */
    private static void closeAll(List<EventTopicReader> stopped) {
        stopped.forEach(EventTopicReader::close);
    }

    private EventTopicReader startReader(int partition, Instant from) {
        LOG.debugf("reading %s-%d from %s", Topics.EVENTS, partition, from);
        return new EventTopicReader(connection, clientId, new TopicPartition(Topics.EVENTS, partition), from,
                this::apply).start();
    }

    /**
     * Forgets events older than {@code retention} before the latest time each partition was asked for, and stops
     * reading partitions nobody asked for within {@code retention}: their readers go to {@code stopped}, for the
     * caller to close once out of the lock. Holds the lock.
     */
    private void evictNowAndThen(long nowMillis, List<EventTopicReader> stopped) {
        long nowNanos = System.nanoTime();
        if (nowNanos - nextEvictionNanos < 0) {
            return;
        }
        nextEvictionNanos = nowNanos + EVICT_EVERY.toNanos();
        long retention = config.retention().toMillis();
        Map<Integer, Long> cutoffs = new HashMap<>();
        for (Iterator<Map.Entry<Integer, Covered>> it = readers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Covered> entry = it.next();
            Covered covered = entry.getValue();
            if (nowNanos - covered.lastAskedNanos > config.retention().toNanos()) {
                LOG.infof("no longer reading %s-%d: no job of it for %s", Topics.EVENTS, entry.getKey(),
                        config.retention());
                stopped.add(covered.reader);
                it.remove();
            } else {
                cutoffs.put(entry.getKey(), covered.lastAskedFromMillis - retention);
            }
        }
        // Entries of a partition no longer read (or never: published by this worker) go after retention from now.
        terminals.values().removeIf(t -> t.atMillis() < cutoffs.getOrDefault(t.partition(), nowMillis - retention));
        // What was forgotten must be read again if a record needs it: a partition is now known from its cutoff.
        cutoffs.forEach((partition, cutoff) -> {
            Covered covered = readers.get(partition);
            covered.knownFromMillis = Math.max(covered.knownFromMillis, cutoff);
        });
    }

    /** One record of the event topic: remember the job if it is a terminal event. */
    private void apply(ConsumerRecord<String, byte[]> record) {
        String type = RequestDecoder.header(record.headers(), Headers.CE_TYPE);
        String jobId = record.key();
        String terminalType = null;
        if (COMPLETED.equals(type)) {
            terminalType = GenerationEvent.COMPLETED;
        } else if (FAILED.equals(type)) {
            terminalType = GenerationEvent.FAILED;
        } else if (type == null || !type.startsWith("dev.sdqueue.generation.")) {
            // Another producer, without CloudEvents headers: read the value.
            try {
                GenerationEvent event = record.value() == null ? null
                        : EventJson.fromBytes(record.value(), GenerationEvent.class);
                if (event != null && event.terminal()) {
                    terminalType = event.type();
                    jobId = event.jobId();
                }
            } catch (Exception e) {
                LOG.debugf("terminal-state index: unreadable event at %s-%d@%d", record.topic(), record.partition(),
                        record.offset());
            }
        }
        if (terminalType != null && jobId != null) {
            terminals.putIfAbsent(jobId, new Terminal(terminalType, record.timestamp(), record.partition()));
        }
    }

    /** Jobs known to have ended (for the health data). */
    public int size() {
        return terminals.size();
    }

    /** Event partitions being read. */
    public synchronized int partitionsRead() {
        return readers.size();
    }

    /** False if a reader thread died (until a record of its partition starts it again). */
    public synchronized boolean alive() {
        return readers.values().stream().allMatch(covered -> covered.reader.isAlive());
    }

    @Override
    public void close() {
        List<EventTopicReader> stopped = new ArrayList<>();
        synchronized (this) {
            closed = true;
            readers.values().forEach(covered -> stopped.add(covered.reader));
            readers.clear();
        }
        closeAll(stopped);
    }
}
