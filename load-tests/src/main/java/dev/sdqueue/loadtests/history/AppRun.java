package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.BenchClock;
import dev.sdqueue.local.AppProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One launched application process of a history run (a dispatcher or a worker of one variant): the packaged Quarkus
 * app as a child JVM ({@link AppProcess}: stopped by PID, output in its log), the moment it was launched (just
 * before the fork, {@link BenchClock} micros), and what waiting for it showed.
 */
final class AppRun implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration TICK = Duration.ofSeconds(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /** How a wait ended. */
    enum Waited { DONE, DIED, TIMEOUT }

    private final String name;
    private final AppProcess process;
    private final long startMicros;

    private AppRun(String name, AppProcess process, long startMicros) {
        this.name = name;
        this.process = process;
        this.startMicros = startMicros;
    }

    /**
     * Launches {@code jar} as {@code name} in {@code dir} (log {@code dir/logs/<name>.log}, {@code HOME} under
     * {@code dir/home}, temp files under {@code dir/tmp/<name>}) on {@code port}, with JVM options, {@code -D}
     * properties and environment variables. Does not wait.
     */
    static AppRun launch(String name, Path jar, Path dir, int port, List<String> jvmOptions,
                         Map<String, String> properties, Map<String, String> environment) {
        AppProcess.Builder builder = AppProcess.builder(name, jar, dir).logFile(dir.resolve("logs/" + name + ".log"))
                .homeDir(dir.resolve("home")).tmpDir(dir.resolve("tmp").resolve(name)).httpPort(port)
                .properties(properties);
        jvmOptions.forEach(builder::jvmOption);
        environment.forEach(builder::environment);
        long start = BenchClock.nowMicros();
        return new AppRun(name, builder.start(), start);
    }

    String name() {
        return name;
    }

    AppProcess process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    /** Seconds from the launch to {@code micros} ({@link BenchClock}). */
    double secondsSinceStart(long micros) {
        return (micros - startMicros) / 1e6;
    }

    boolean alive() {
        return process.isAlive();
    }

    boolean ready() {
        return process.isReady();
    }

    MachineLoad.Memory memory() {
        return MachineLoad.memory(process.pid());
    }

    double cpuSeconds() {
        return MachineLoad.cpuSeconds(process.pid());
    }

    /**
     * The heap it keeps alive: a full collection ({@code jcmd <pid> GC.run}), then the heap in use
     * ({@code GC.heap_info}), in MiB; NaN if jcmd fails. RSS follows the heap the collector chose to commit (up to
     * {@code -Xmx}); this is what grows with the data. Costs the process a full GC: taken after its RSS was read.
     */
    double liveHeapMb() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (jcmd(jcmd, "GC.run") == null) {
            return Double.NaN;
        }
        String info = jcmd(jcmd, "GC.heap_info");
        java.util.regex.Matcher m = info == null ? null
                : java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
        return m != null && m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    }

    private String jcmd(Path jcmd, String command) {
        return output(List.of(jcmd.toString(), Long.toString(process.pid()), command), 120, TimeUnit.SECONDS);
    }

    /**
     * What {@code command} wrote (stdout and stderr), or null if it cannot start, exits non-zero or still runs after
     * {@code timeout} (then it is killed). The output goes to a temp file: reading a pipe blocks until the exit, so
     * the timeout would never apply.
     */
    static String output(List<String> command, long timeout, TimeUnit unit) {
        Path file = null;
        try {
            file = Files.createTempFile("sdq-bench-", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!p.waitFor(timeout, unit)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    /**
     * Polls {@code done} every 100 ms until it returns true, the process exits or {@code timeout} (from the launch)
     * passes; every 15 s {@code tick} gets a line with the elapsed time and the process's RSS.
     */
    Waited await(Duration timeout, BooleanSupplier done, String what, Consumer<String> tick) {
        long deadline = startMicros + timeout.toNanos() / 1000;
        long nextTick = BenchClock.nowMicros() + TICK.toNanos() / 1000;
        while (true) {
            if (done.getAsBoolean()) {
                return Waited.DONE;
            }
            if (!process.isAlive()) {
                return Waited.DIED;
            }
            long now = BenchClock.nowMicros();
            if (now > deadline) {
                return Waited.TIMEOUT;
            }
            if (now >= nextTick) {
                MachineLoad.Memory memory = memory();
                tick.accept(String.format(Locale.ROOT, "  ... %s: waiting for %s, %.0f s since launch, RSS %.0f MiB,"
                        + " CPU %.0f s, load %s", name, what, secondsSinceStart(now), memory.rssMb(), cpuSeconds(),
                        MachineLoad.loadAverage()));
                nextTick = now + TICK.toNanos() / 1000;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Waited.TIMEOUT;
            }
        }
    }

    /** Exit code, or null while it runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.stop(Duration.ZERO);
    }

    /** The last {@code lines} lines of its log, {@link #condense condensed}. */
    List<String> logTail(int lines) {
        return condense(process.tail(3000).lines().toList(), lines);
    }

    /**
     * The last {@code lines} of {@code log} that tell what happened: SmallRye Health's "Reporting health down status"
     * lines (one per readiness probe while it starts) dropped but the last one, which says how far it got (e.g. the
     * status view's jobs and records), put first; stack traces cut to their first three frames.
     */
    static List<String> condense(List<String> log, int lines) {
        String lastHealth = null;
        List<String> kept = new java.util.ArrayList<>();
        int frames = 0;
        for (String line : log) {
            if (line.contains("SRHCK01001")) {
                lastHealth = line;
                continue;
            }
            boolean frame = line.startsWith("\tat ") || line.startsWith("\t... ");
            frames = frame ? frames + 1 : 0;
            if (frame && frames > 3) {
                if (frames == 4) {
                    kept.add("\t...");
                }
                continue;
            }
            if (!line.isBlank()) {
                kept.add(line);
            }
        }
        List<String> tail = new java.util.ArrayList<>();
        if (lastHealth != null) {
            tail.add(lastHealth);
        }
        tail.addAll(kept.subList(Math.max(0, kept.size() - lines), kept.size()));
        return tail;
    }

    /** True if its log shows an OutOfMemoryError. */
    boolean outOfMemory() {
        return process.tail(400).contains("OutOfMemoryError");
    }

    /** SIGTERM by PID, SIGKILL after 20 s. Idempotent. */
    @Override
    public void close() {
        process.stop(STOP_GRACE);
    }
}
