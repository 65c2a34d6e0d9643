package dev.sdqueue.follower;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a {@link TopicFollower} starts reading the partitions it finds when a topic is first assigned. Partitions
 * that appear later on an already followed topic are read from their beginning: every record on them was written
 * after the follower started, so none may be missed.
 */
public sealed interface StartPosition {

    /** Every record still on the topic (replay). */
    static StartPosition beginning() {
        return Beginning.INSTANCE;
    }

    /** Only records written after the follower is positioned (see {@link TopicFollower#open}). */
    static StartPosition end() {
        return End.INSTANCE;
    }

    /** The first record whose timestamp is at or after {@code from}; the end where there is none. */
    static StartPosition timestamp(Instant from) {
        return new Timestamp(from);
    }

    /** Like {@link #timestamp} with {@code now - window}, now being when the partitions are assigned. */
    static StartPosition lookback(Duration window) {
        return new Lookback(window);
    }

    /** The first record still on the topic. */
    enum Beginning implements StartPosition {
        INSTANCE
    }

    /** The end offset at assignment (for read_committed consumers, the last stable offset). */
    enum End implements StartPosition {
        INSTANCE
    }

    /** The first record at or after an absolute instant. */
    record Timestamp(Instant from) implements StartPosition {
        public Timestamp {
            Objects.requireNonNull(from, "from");
        }
    }

    /** The first record at or after a window before the assignment. */
    record Lookback(Duration window) implements StartPosition {
        public Lookback {
            Objects.requireNonNull(window, "window");
            if (window.isNegative()) {
                throw new IllegalArgumentException("a lookback window cannot be negative: " + window);
            }
        }
    }

    /** The timestamp (epoch ms) to look offsets up for, or -1 for the positions that are not a timestamp. */
    static long searchMillis(StartPosition start, long nowMillis) {
        if (start instanceof Timestamp t) {
            return t.from().toEpochMilli();
        }
        if (start instanceof Lookback l) {
            return nowMillis - l.window().toMillis();
        }
        return -1;
    }
}
