package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.BenchClock;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.loadtests.EventTracker;
import dev.sdqueue.loadtests.Percentiles;
import dev.sdqueue.local.Ports;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One variant on one preloaded broker: the measurements of a history run, in this order.
 * <ol>
 * <li>dispatcher A launched: time to {@code /q/health/ready} and until every late history id (the last job of
 *     each partition) answers with its final status; RSS, CPU;</li>
 * <li>dispatcher B, a second replica (own port and state dir): the same, RSS at ready and after {@code settle};</li>
 * <li>a new worker: one job queued through a dispatcher first, then the worker launched; time to its
 *     {@code started} event for that job, RSS then;</li>
 * <li>end to end: {@code e2eJobs} jobs at {@code e2eRate}/s over A and B, submit to {@code completed};</li>
 * <li>status lookups, open model, over A and B, random known history ids;</li>
 * <li>dispatcher A restarted (same state dir and port): time to ready and served again.</li>
 * </ol>
 * A process that dies or is not ready within the timeout is recorded as such (with its log's tail); what depends on
 * it is skipped. Every process is stopped by PID before this returns.
 */
final class VariantRun {
    /** Placeholders in dispatcher and worker properties, replaced per process. */
    static final String PORT = "{port}";
    static final String STATE_DIR = "{stateDir}";
    static final String NAME = "{name}";
    private static final String FINAL_STATUS = "\"status\":\"succeeded\"";

    record Settings(Duration readyTimeout, double lookupRate, Duration lookupWarmup, Duration lookupDuration,
                    int e2eJobs, double e2eRate,
                    Duration e2eTimeout, String workerModel, List<String> dispatcherJvmOptions,
                    List<String> workerJvmOptions, Map<String, String> dispatcherProperties,
                    Map<String, String> workerProperties, Duration settle, boolean restart, Path home) {
        Settings withReadyTimeout(Duration timeout) {
            return new Settings(timeout, lookupRate, lookupWarmup, lookupDuration, e2eJobs, e2eRate, e2eTimeout,
                    workerModel, dispatcherJvmOptions, workerJvmOptions, dispatcherProperties, workerProperties,
                    settle, restart, home);
        }
    }

    record Result(Variant variant, long jobs, Startup dispatcherA, Startup dispatcherB, Startup restartA,
                  Startup worker, double dispatcherARssWhenBSettledMb, EndToEndRun.Result e2e,
                  LookupLoad.Result lookups,
                  String loadBefore, String loadAfter, double seconds, List<String> notes) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("variant", variant.name());
            map.put("home", variant.home().toString());
            map.put("commit", variant.commit());
            map.put("jobs", jobs);
            map.put("dispatcherA", dispatcherA.toMap());
            map.put("dispatcherB", dispatcherB.toMap());
            map.put("dispatcherARssWhenBSettledMb", Startup.round(dispatcherARssWhenBSettledMb));
            map.put("worker", worker.toMap());
            map.put("endToEnd", e2e.toMap());
            map.put("lookups", lookups == null ? null : lookups.toMap());
            map.put("dispatcherARestart", restartA.toMap());
            map.put("loadAverageBefore", loadBefore);
            map.put("loadAverageAfter", loadAfter);
            map.put("seconds", Startup.round(seconds));
            map.put("notes", notes);
            return map;
        }
    }

    final Variant variant;
    final BenchSystem system;
    private final HistoryJobs history;
    private final long[] lateJobs;
    final Settings settings;
    final Path dir;
    final PrintStream out;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** Every process launched and not stopped yet (also read by the shutdown hook). */
    final List<AppRun> running = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** Ids of the jobs this run submitted that completed: the known ids of H = 0's lookups. */
    final List<String> completedHere = new ArrayList<>();
    /** Also submits the new worker's first job. */
    final EndToEndRun endToEnd = new EndToEndRun(this);

    VariantRun(Variant variant, BenchSystem system, HistoryJobs history, long[] lateJobs, Settings settings, Path dir,
               PrintStream out) {
        this.variant = variant;
        this.system = system;
        this.history = history;
        this.lateJobs = lateJobs;
        this.settings = settings;
        this.dir = dir;
        this.out = out;
    }

    Result run() throws Exception {
        long begin = System.nanoTime();
        String loadBefore = MachineLoad.loadAverage();
        Startup a = new Startup("dispatcher-a");
        Startup b = new Startup("dispatcher-b");
        Startup restart = new Startup("dispatcher-a (restart)");
        Startup worker = new Startup("worker-1");
        double aRssWhenBSettled = Double.NaN;
        EndToEndRun.Result e2e = EndToEndRun.Result.SKIPPED;
        LookupLoad.Result lookups = null;
        // The stack has its own hook (BenchSystem); the apps launched here are stopped by this one if the JVM exits
        // first (SIGTERM, Ctrl-C).
        Thread hook = new Thread(this::stopAll, "sdq-bench-history-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int portA = Ports.freePort();
            AppRun dispatcherA = launchDispatcher("dispatcher-a", portA);
            awaitDispatcher(dispatcherA, a);
            AppRun dispatcherB = launchDispatcher("dispatcher-b", Ports.freePort());
            awaitDispatcher(dispatcherB, b);
            if (b.ready() || a.ready()) {
                sleep(settings.settle());
                if (b.ready()) {
                    b.rssSettledMb = dispatcherB.memory().rssMb();
                }
                if (a.ready()) {
                    a.rssSettledMb = dispatcherA.memory().rssMb();
                    aRssWhenBSettled = a.rssSettledMb;
                }
                if (b.ready()) {
                    b.liveHeapMb = dispatcherB.liveHeapMb();
                }
                if (a.ready()) {
                    a.liveHeapMb = dispatcherA.liveHeapMb();
                }
                out.printf(Locale.ROOT, "  RSS %s s after ready: A %s MiB, B %s MiB; live heap after a full GC: "
                                + "A %s MiB,"
                                + " B %s MiB%n", settings.settle().toSeconds(), a.figure(a.rssSettledMb, "%.0f"),
                        b.figure(b.rssSettledMb, "%.0f"), a.figure(a.liveHeapMb, "%.0f"),
                        b.figure(b.liveHeapMb, "%.0f"));
            }
            Map<String, URI> dispatchers = new LinkedHashMap<>();
            if (a.ready()) {
                dispatchers.put("A", dispatcherA.process().uri(""));
            }
            if (b.ready()) {
                dispatchers.put("B", dispatcherB.process().uri(""));
            }
            try (EventTracker tracker = EventTracker.startAtEnd(system.bootstrapServers())) {
                new NewWorker(this).start(dispatchers, tracker, worker);
                if (dispatchers.isEmpty()) {
                    note("end to end and lookups skipped: no dispatcher was ready");
                } else {
                    e2e = endToEnd.run(dispatchers, tracker);
                }
            }
            stopWorkers();
            if (!dispatchers.isEmpty()) {
                OptionalLong warm = WarmCopies.awaitSeconds(http, dispatchers, settings.readyTimeout(), out);
                if (warm.isPresent()) {
                    note("store copies warm (sdq_status_copies_lag_records <= " + WarmCopies.WARM_LAG + " on "
                            + dispatchers.keySet() + ") " + warm.getAsLong() + " s after the end-to-end jobs; "
                            + "lookups measured from then on");
                }
                lookups = lookups(dispatchers);
            }
            if (a.ready()) {
                a.peakRssMb = dispatcherA.memory().peakRssMb();
            }
            if (b.ready()) {
                b.peakRssMb = dispatcherB.memory().peakRssMb();
            }
            if (settings.restart() && a.ready()) {
                out.println("  dispatcher-a: restart (SIGTERM, then the same port and state dir)");
                dispatcherA.close();
                running.remove(dispatcherA);
                AppRun again = launchDispatcher("dispatcher-a", portA);
                awaitDispatcher(again, restart);
                if (restart.ready()) {
                    restart.peakRssMb = again.memory().peakRssMb();
                }
            } else {
                restart.note = settings.restart() ? "dispatcher A was not ready" : "--no-restart";
            }
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs (or ran) stopAll
            }
        }
        return new Result(variant, history.jobs(), a, b, restart, worker, aRssWhenBSettled, e2e, lookups, loadBefore,
                MachineLoad.loadAverage(), (System.nanoTime() - begin) / 1e9, List.copyOf(notes));
    }

    // ------------------------------------------------------------------ dispatchers

    private AppRun launchDispatcher(String name, int port) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("kafka.bootstrap.servers", system.bootstrapServers());
        properties.put("quarkus.kafka.devservices.enabled", "false");
        properties.putAll(expand(settings.dispatcherProperties(), name, port));
        AppRun app = AppRun.launch(name, variant.dispatcherJar(), dir, port, settings.dispatcherJvmOptions(),
                properties, Map.of());
        running.add(app);
        out.printf(Locale.ROOT, "  %s: launched on port %d (pid %d, log %s)%n", name, port, app.pid(),
                app.process().log());
        return app;
    }

    Map<String, String> expand(Map<String, String> properties, String name, int port) {
        return expand(properties, name, port, dir);
    }

    /**
     * {@link #PORT}, {@link #STATE_DIR} ({@code <dir>/state/<name>}) and {@link #NAME} in the values replaced for one
     * process.
     */
    static Map<String, String> expand(Map<String, String> properties, String name, int port, Path dir) {
        Map<String, String> expanded = new LinkedHashMap<>();
        String stateDir = dir.resolve("state").resolve(name).toString();
        properties.forEach((key, value) -> expanded.put(key, value.replace(PORT, Integer.toString(port))
                .replace(STATE_DIR, stateDir).replace(NAME, name)));
        return expanded;
    }

    /**
     * Waits until the dispatcher is ready and every late history id answers with its final status (each polled every
     * 100 ms from the launch on), or it dies, or the ready timeout passes.
     */
    private void awaitDispatcher(AppRun app, Startup startup) {
        List<String> lateIds = new ArrayList<>();
        for (long index : lateJobs) {
            if (index >= 0) {
                lateIds.add(history.jobId(index));
            }
        }
        Map<String, Long> servedAt = new ConcurrentHashMap<>();
        long[] readyAt = {0};
        double brokerCpu = MachineLoad.cpuSeconds(system.stack().kafkaPid());
        AppRun.Waited waited = app.await(settings.readyTimeout(), () -> {
            if (readyAt[0] == 0 && app.ready()) {
                readyAt[0] = BenchClock.nowMicros();
                startup.readySeconds = app.secondsSinceStart(readyAt[0]);
                startup.rssAtReadyMb = app.memory().rssMb();
                startup.cpuSecondsToReady = app.cpuSeconds();
                startup.brokerCpuSecondsToReady = MachineLoad.cpuSeconds(system.stack().kafkaPid()) - brokerCpu;
                out.printf(Locale.ROOT, "  %s: ready after %.2f s, RSS %.0f MiB, CPU %.1f s%n", app.name(),
                        startup.readySeconds, startup.rssAtReadyMb, startup.cpuSecondsToReady);
            }
            for (String id : lateIds) {
                if (!servedAt.containsKey(id) && servesFinalStatus(app.process().uri(""), id)) {
                    servedAt.put(id, BenchClock.nowMicros());
                }
            }
            return readyAt[0] != 0 && servedAt.size() == lateIds.size();
        }, "ready and " + lateIds.size() + " late history ids served", out::println);
        if (waited == AppRun.Waited.DONE) {
            startup.status = Startup.READY;
            long served = servedAt.values().stream().mapToLong(Long::longValue).max().orElse(readyAt[0]);
            startup.servedSeconds = app.secondsSinceStart(Math.max(served, readyAt[0]));
            out.printf(Locale.ROOT, "  %s: history served (%d late ids with their final status) after %.2f s%n",
                    app.name(), lateIds.size(), startup.servedSeconds);
        } else {
            failed(app, startup, waited, "ready and serving the history");
        }
    }

    private boolean servesFinalStatus(URI base, String id) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/generations/" + id))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains(FINAL_STATUS);
        } catch (java.io.IOException e) {
            return false; // not listening yet, or busy
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void failed(AppRun app, Startup startup, AppRun.Waited waited, String what) {
        double seconds = app.secondsSinceStart(BenchClock.nowMicros());
        startup.peakRssMb = app.memory().peakRssMb();
        if (waited == AppRun.Waited.DIED) {
            startup.exitCode = app.exitCode();
            startup.status = app.outOfMemory() ? Startup.OOM : Startup.DIED;
        } else {
            startup.status = Startup.TIMEOUT;
            app.close(); // nothing more to learn from it
            running.remove(app);
            if (app.outOfMemory()) {
                startup.note = "its log ends with an OutOfMemoryError (while it was being stopped, or just before)";
            }
        }
        startup.logTail = app.logTail(25);
        out.printf(Locale.ROOT, "  %s: NOT %s: %s%s after %.0f s; last lines of %s:%n", app.name(), what,
                startup.status, startup.exitCode == null ? "" : " (exit " + startup.exitCode + ")", seconds,
                app.process().log());
        startup.logTail.forEach(line -> out.println("    | " + line));
        if (startup.note != null) {
            out.println("    note: " + startup.note);
        }
    }

    private void stopWorkers() {
        List<AppRun> workers = running.stream().filter(app -> app.name().startsWith("worker")).toList();
        workers.forEach(AppRun::close);
        running.removeAll(workers);
    }

    // ------------------------------------------------------------------ lookups

    private LookupLoad.Result lookups(Map<String, URI> dispatchers) throws java.io.IOException {
        Supplier<String> ids;
        if (history.jobs() > 0) {
            SplittableRandom random = new SplittableRandom(42);
            ids = () -> history.jobId(random.nextLong(history.jobs()));
        } else if (!completedHere.isEmpty()) {
            SplittableRandom random = new SplittableRandom(42);
            List<String> known = List.copyOf(completedHere);
            ids = () -> known.get(random.nextInt(known.size()));
            note("H = 0: lookups of the " + known.size() + " jobs this run completed (no history)");
        } else {
            note("lookups skipped: no known id (no history and no job completed)");
            return null;
        }
        out.printf(Locale.ROOT, "  lookups: %.0f GET/s for %d s over %s, random known ids (after a %d s warm-up)%n",
                settings.lookupRate(), settings.lookupDuration().toSeconds(), dispatchers.keySet(),
                settings.lookupWarmup().toSeconds());
        Map<String, Map<String, Double>> sourcesBefore = new LinkedHashMap<>();
        dispatchers.forEach((name, uri) -> sourcesBefore.put(name, LookupSources.read(http, uri)));
        LookupLoad.Result result = LookupLoad.run(dispatchers, ids, FINAL_STATUS, settings.lookupRate(),
                settings.lookupWarmup(), settings.lookupDuration(), dir.resolve("gatling"),
                "sdq bench history: lookups, H=" + history.jobs() + ", " + variant.name());
        dispatchers.forEach((name, uri) -> {
            Map<String, Double> after = LookupSources.read(http, uri);
            if (!after.isEmpty()) {
                note("lookups answered by " + name + " (warm-up included), by source: "
                        + LookupSources.delta(sourcesBefore.get(name), after));
            }
        });
        for (LookupStats stats : result.byReplica().values()) {
            Percentiles p = stats.latency();
            out.printf(Locale.ROOT, "  lookups %s: %,d answered, %,d with the final status, %,d not found, %,d errors;"
                    + " latency %s%n", stats.replica(), stats.answeredCount(), stats.ok(), stats.notFound(),
                    stats.errors(), p.line());
        }
        return result;
    }

    // ------------------------------------------------------------------ helpers

    void note(String text) {
        notes.add(text);
        out.println("  note: " + text);
    }

    private void stopAll() {
        List<AppRun> all = List.copyOf(running);
        running.removeAll(all);
        List<Thread> stopping = new ArrayList<>();
        for (AppRun app : all) { // in parallel: each may take its 20 s grace
            Thread thread = new Thread(app::close, "sdq-bench-stop-" + app.name());
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
