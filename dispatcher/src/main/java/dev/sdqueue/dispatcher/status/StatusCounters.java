package dev.sdqueue.dispatcher.status;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of the status store, shared by every task's processor (one per partition) and the lookups; exported as
 * {@code sdq_status_*} metrics. Plain adders so the topology and the lookups run without Quarkus in tests.
 */
public final class StatusCounters {
    private final LongAdder applied = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder keyNotJobId = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder expiredOnArrival = new LongAdder();
    private final LongAdder[] lookups = new LongAdder[Lookup.Source.values().length];

    public StatusCounters() {
        for (int i = 0; i < lookups.length; i++) {
            lookups[i] = new LongAdder();
        }
    }

    /** Records merged into the store (including those that changed nothing). */
    public long applied() {
        return applied.sum();
    }

    /** Records that were not a readable request or a known event with a job id (logged at debug, ignored). */
    public long skipped() {
        return skipped.sum();
    }

    /** Request records whose key is not their job id (against the contract: see {@link JobStatusProcessor}). */
    public long keyNotJobId() {
        return keyNotJobId.sum();
    }

    /** Statuses deleted by the TTL scan. */
    public long expired() {
        return expired.sum();
    }

    /** Records not stored because their job's TTL had already passed when they were read (e.g. a replay). */
    public long expiredOnArrival() {
        return expiredOnArrival.sum();
    }

    public long lookups(Lookup.Source source) {
        return lookups[source.ordinal()].sum();
    }

    void applied(long n) {
        applied.add(n);
    }

    void skipped(long n) {
        skipped.add(n);
    }

    void keyNotJobId(long n) {
        keyNotJobId.add(n);
    }

    void expired(long n) {
        expired.add(n);
    }

    void expiredOnArrival(long n) {
        expiredOnArrival.add(n);
    }

    void lookup(Lookup.Source source) {
        lookups[source.ordinal()].increment();
    }
}
