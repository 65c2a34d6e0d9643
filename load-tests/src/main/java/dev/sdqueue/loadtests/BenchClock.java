package dev.sdqueue.loadtests;

import java.time.Instant;

/**
 * One time base for everything a bench measures in this JVM: microseconds since the epoch, read from
 * {@link System#nanoTime()} (monotonic, so intervals are exact) anchored once to the wall clock (so they compare with
 * the {@code at} instants the worker writes into its events: same machine, same clock).
 */
public final class BenchClock {
    private static final long ANCHOR_NANOS = System.nanoTime();
    private static final long ANCHOR_EPOCH_MICROS = epochMicros(Instant.now());

    private BenchClock() {
    }

    /** Now, in microseconds since the epoch. */
    public static long nowMicros() {
        return ANCHOR_EPOCH_MICROS + (System.nanoTime() - ANCHOR_NANOS) / 1_000;
    }

    public static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }
}
