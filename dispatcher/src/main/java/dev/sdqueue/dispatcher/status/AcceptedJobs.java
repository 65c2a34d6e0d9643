package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.GenerationRequested;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Read-your-writes: jobs this replica accepted, so it can answer {@code GET} for them before the status store has
 * processed their request records. Consulted only when no store has the job. Entries leave once a store answers for
 * the job, after {@code retention}, or oldest first beyond {@code maxEntries}: a bounded, short-lived map, never a
 * second store.
 */
public final class AcceptedJobs {
    private record Entry(String id, JobStatus status, long acceptedAtNanos) {
    }

    private final ConcurrentHashMap<String, Entry> byId = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Entry> oldestFirst = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final long retentionNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;

    public AcceptedJobs(Duration retention, int maxEntries, LongSupplier nanoTime) {
        if (maxEntries < 1 || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention and maxEntries must be positive");
        }
        this.retentionNanos = retention.toNanos();
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /** After the broker acknowledged {@code request}: the job is queued as far as this replica knows. */
    public void record(GenerationRequested request) {
        Entry entry = new Entry(request.jobId(), JobStatus.queued(request), nanoTime.getAsLong());
        byId.put(entry.id(), entry);
        oldestFirst.add(entry);
        queued.incrementAndGet();
        evict(entry.acceptedAtNanos());
    }

    public Optional<JobStatus> get(String jobId) {
        Entry entry = byId.get(jobId);
        if (entry == null || nanoTime.getAsLong() - entry.acceptedAtNanos() > retentionNanos) {
            return Optional.empty();
        }
        return Optional.of(entry.status());
    }

    /** A store answered for the job: this replica's copy is no longer needed. */
    public void forget(String jobId) {
        byId.remove(jobId);
    }

    public int size() {
        return byId.size();
    }

    private void evict(long now) {
        Entry head;
        while ((head = oldestFirst.peek()) != null
                && (queued.get() > maxEntries || now - head.acceptedAtNanos() > retentionNanos)) {
            if (oldestFirst.remove(head)) {
                queued.decrementAndGet();
                byId.remove(head.id(), head);
            }
        }
    }
}
