package dev.sdqueue.loadtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples the CPU time of named processes (by PID; {@link ProcessHandle.Info#totalCpuDuration()}, i.e. user + system
 * of every thread) every {@code period}, so the CPU each spent within any time window of a bench can be read back
 * afterwards. On two shared cores this tells who used them: the system under test, the broker, the load generator.
 */
public final class CpuSampler implements AutoCloseable {
    private record Sample(long micros, Map<String, Long> cpuNanos) {
    }

    private final Map<String, Long> pids; // guarded by samples
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public CpuSampler(Map<String, Long> pidsByName, Duration period) {
        this.pids = new LinkedHashMap<>(pidsByName);
        sample();
        thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(period.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                sample();
            }
        }, "sdq-bench-cpu-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Samples one more process from now on (before its first sample it counts as having used nothing). */
    public synchronized void add(String name, long pid) {
        synchronized (samples) {
            pids.put(name, pid);
        }
        sample();
    }

    /** The processes sampled, by name (for this JVM: {@code ProcessHandle.current().pid()}). */
    public Map<String, Long> pids() {
        synchronized (samples) {
            return new LinkedHashMap<>(pids);
        }
    }

    private void sample() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        Map<String, Long> current;
        synchronized (samples) {
            current = new LinkedHashMap<>(pids);
        }
        current.forEach((name, pid) -> cpu.put(name, ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
                .map(Duration::toNanos).orElse(-1L)));
        synchronized (samples) {
            samples.add(new Sample(BenchClock.nowMicros(), cpu));
        }
    }

    /**
     * CPU seconds each process used between the samples nearest to {@code fromMicros} and {@code toMillis}
     * ({@link BenchClock} micros); -1 for a process that could not be read.
     */
    public Map<String, Double> cpuSeconds(long fromMicros, long toMicros) {
        Sample from;
        Sample to;
        synchronized (samples) {
            from = nearest(fromMicros);
            to = nearest(toMicros);
        }
        Map<String, Double> used = new LinkedHashMap<>();
        for (String name : pids().keySet()) {
            long a = from.cpuNanos().getOrDefault(name, 0L);
            long b = to.cpuNanos().getOrDefault(name, -1L);
            used.put(name, a < 0 || b < 0 ? -1 : (b - a) / 1e9);
        }
        return used;
    }

    /** Wall seconds between the samples {@link #cpuSeconds} uses for the same window. */
    public double wallSeconds(long fromMicros, long toMicros) {
        synchronized (samples) {
            return (nearest(toMicros).micros() - nearest(fromMicros).micros()) / 1e6;
        }
    }

    private Sample nearest(long micros) {
        Sample best = samples.get(0);
        for (Sample sample : samples) {
            if (Math.abs(sample.micros() - micros) < Math.abs(best.micros() - micros)) {
                best = sample;
            }
        }
        return best;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        sample();
    }
}
