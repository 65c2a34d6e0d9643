package dev.sdqueue.loadtests.load;

import java.time.Duration;
import java.util.Objects;

/**
 * One stretch of a load. Open model (arrivals independent of answers, the way real clients behave: what latency runs
 * use): {@link Kind#CONSTANT_RATE} at {@code to} submissions/s, {@link Kind#RAMP_RATE} from {@code from} to {@code to}
 * submissions/s, {@link Kind#COUNT} exactly {@code to} arrivals evenly spaced over the duration (a constant rate with an
 * exact number of jobs). Closed model, for capacity only: {@link Kind#CONCURRENCY} keeps {@code to} submissions in flight.
 */
public record LoadPhase(String name, Kind kind, double from, double to, Duration duration) {
    public enum Kind { CONSTANT_RATE, RAMP_RATE, CONCURRENCY, COUNT }

    public LoadPhase {
        Objects.requireNonNull(kind, "kind");
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("phase name must be letters, digits, '.', '_' or '-', was " + name);
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("phase " + name + ": duration must be positive");
        }
        // Gatling's Java DSL takes injection durations in whole seconds (2.5 s injects as 2 s, 0.75 s as nothing):
        // round up so that what is described is what runs.
        long seconds = (duration.toMillis() + 999) / 1000;
        duration = Duration.ofSeconds(seconds);
        if (from < 0 || to <= 0) {
            throw new IllegalArgumentException("phase " + name + ": rates/concurrency must be positive");
        }
    }

    public static LoadPhase constantRate(String name, double perSecond, Duration duration) {
        return new LoadPhase(name, Kind.CONSTANT_RATE, perSecond, perSecond, duration);
    }

    public static LoadPhase ramp(String name, double fromPerSecond, double toPerSecond, Duration duration) {
        return new LoadPhase(name, Kind.RAMP_RATE, fromPerSecond, toPerSecond, duration);
    }

    /** Exactly {@code count} arrivals, evenly spaced over {@code duration} (open model). */
    public static LoadPhase arrivals(String name, int count, Duration duration) {
        return new LoadPhase(name, Kind.COUNT, count, count, duration);
    }

    public static LoadPhase concurrency(String name, int inFlight, Duration duration) {
        return new LoadPhase(name, Kind.CONCURRENCY, inFlight, inFlight, duration);
    }

    public boolean open() {
        return kind != Kind.CONCURRENCY;
    }

    /** Submissions this phase makes (open model), or 0 when it depends on the answers (closed). */
    public long expectedSubmissions() {
        double seconds = duration.toMillis() / 1000.0;
        return switch (kind) {
            case CONSTANT_RATE -> Math.round(to * seconds);
            case RAMP_RATE -> Math.round((from + to) / 2 * seconds);
            case CONCURRENCY -> 0;
            case COUNT -> Math.round(to);
        };
    }

    public String describe() {
        return switch (kind) {
            case CONSTANT_RATE -> String.format("%s: %s/s for %s s (open)", name, fmt(to), fmt(duration.toMillis() / 1e3));
            case RAMP_RATE -> String.format("%s: %s/s -> %s/s over %s s (open)", name, fmt(from), fmt(to),
                    fmt(duration.toMillis() / 1e3));
            case CONCURRENCY -> String.format("%s: %d in flight for %s s (closed)", name, (int) to,
                    fmt(duration.toMillis() / 1e3));
            case COUNT -> String.format("%s: %d arrivals over %s s (open, %s/s)", name, (int) to,
                    fmt(duration.toMillis() / 1e3), fmt(Math.round(to * 1000.0 / duration.toMillis() * 100) / 100.0));
        };
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
