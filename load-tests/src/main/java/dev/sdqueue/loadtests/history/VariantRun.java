package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.BenchClock;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.loadtests.EventTracker;
import dev.sdqueue.loadtests.Percentiles;
import dev.sdqueue.loadtests.load.RequestShape;
import dev.sdqueue.local.LocalStack;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

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
    private static final Pattern JOB_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Duration FIRST_JOB_COMPLETION = Duration.ofSeconds(60);

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

    /** End to end of the new jobs. */
    record EndToEnd(int submitted, int accepted, int httpErrors, int completed, int failed, int lost,
                    Percentiles latencyMs, Percentiles submitMs) {
        static final EndToEnd SKIPPED = new EndToEnd(0, 0, 0, 0, 0, 0, Percentiles.EMPTY, Percentiles.EMPTY);

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("submitted", submitted);
            map.put("accepted", accepted);
            map.put("httpErrors", httpErrors);
            map.put("completed", completed);
            map.put("failed", failed);
            map.put("lost", lost);
            map.put("submitToCompletedMs", latencyMs.toMap());
            map.put("submitMs", submitMs.toMap());
            return map;
        }
    }

    record Result(Variant variant, long jobs, Startup dispatcherA, Startup dispatcherB, Startup restartA,
                  Startup worker, double dispatcherARssWhenBSettledMb, EndToEnd e2e, LookupLoad.Result lookups,
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

    private final Variant variant;
    private final BenchSystem system;
    private final HistoryJobs history;
    private final long[] lateJobs;
    private final Settings settings;
    private final Path dir;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** Every process launched and not stopped yet (also read by the shutdown hook). */
    private final List<AppRun> running = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** Ids of the jobs this run submitted that completed: the known ids of H = 0's lookups. */
    private final List<String> completedHere = new ArrayList<>();

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
        EndToEnd e2e = EndToEnd.SKIPPED;
        LookupLoad.Result lookups = null;
        // The stack has its own hook (BenchSystem); the apps launched here are stopped by this one if the JVM exits
        // first (SIGTERM, Ctrl-C).
        Thread hook = new Thread(this::stopAll, "sdq-bench-history-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int portA = AppRun.freePort();
            AppRun dispatcherA = launchDispatcher("dispatcher-a", portA);
            awaitDispatcher(dispatcherA, a);
            AppRun dispatcherB = launchDispatcher("dispatcher-b", AppRun.freePort());
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
                out.printf(Locale.ROOT, "  RSS %s s after ready: A %s MiB, B %s MiB; live heap after a full GC: A %s MiB,"
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
                newWorker(dispatchers, tracker, worker);
                if (dispatchers.isEmpty()) {
                    note("end to end and lookups skipped: no dispatcher was ready");
                } else {
                    e2e = endToEnd(dispatchers, tracker);
                }
            }
            stopWorkers();
            if (!dispatchers.isEmpty()) {
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

    private Map<String, String> expand(Map<String, String> properties, String name, int port) {
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

    private void failed(AppRun app, Startup startup, AppRun.Waited waited, String what) {
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

    // ------------------------------------------------------------------ worker

    /**
     * Queues one job (through a ready dispatcher, else straight onto the request topic), then launches a worker and
     * waits for its {@code started} event of that job and for the job's end.
     */
    private void newWorker(Map<String, URI> dispatchers, EventTracker tracker, Startup startup) throws Exception {
        String jobId;
        if (!dispatchers.isEmpty()) {
            Submitted queued = submit(dispatchers.values().iterator().next());
            if (queued.jobId() == null) {
                note("the worker's job could not be submitted (HTTP " + queued.status() + "): produced directly");
                jobId = produceDirectly();
            } else {
                jobId = queued.jobId();
            }
        } else {
            jobId = produceDirectly();
            note("the worker's job was produced straight onto " + Topics.REQUESTS + " (no dispatcher was ready)");
        }
        out.printf(Locale.ROOT, "  worker-1: job %s queued; launching the worker%n", jobId);
        double brokerCpu = MachineLoad.cpuSeconds(system.stack().kafkaPid());
        AppRun worker = launchWorker("worker-1");
        long[] readyAt = {0};
        long[] startedAt = {0};
        AppRun.Waited waited = worker.await(settings.readyTimeout(), () -> {
            if (readyAt[0] == 0 && worker.ready()) {
                readyAt[0] = BenchClock.nowMicros();
                startup.readySeconds = worker.secondsSinceStart(readyAt[0]);
                startup.cpuSecondsToReady = worker.cpuSeconds();
                startup.brokerCpuSecondsToReady = MachineLoad.cpuSeconds(system.stack().kafkaPid()) - brokerCpu;
            }
            Optional<EventTracker.JobEvents> seen = tracker.job(jobId);
            if (seen.isPresent() && seen.get().starts() > 0 && worker.name().equals(seen.get().worker())) {
                startedAt[0] = seen.get().startedReceivedMicros();
                startup.firstJobSeconds = worker.secondsSinceStart(startedAt[0]);
                startup.rssAtReadyMb = worker.memory().rssMb();
                return true;
            }
            return false;
        }, "its first job's started event", out::println);
        if (waited != AppRun.Waited.DONE) {
            failed(worker, startup, waited, "running its first job");
            return;
        }
        startup.status = Startup.READY;
        out.printf(Locale.ROOT, "  worker-1: first job started %.2f s after launch (ready after %s s), RSS %.0f MiB%n",
                startup.firstJobSeconds, startup.figure(startup.readySeconds, "%.2f"), startup.rssAtReadyMb);
        if (tracker.awaitTerminals(List.of(jobId), FIRST_JOB_COMPLETION)) {
            EventTracker.JobEvents ended = tracker.job(jobId).orElseThrow();
            startup.firstJobCompletedSeconds = worker.secondsSinceStart(ended.terminalReceivedMicros());
            if (ended.completed()) {
                completedHere.add(jobId);
            } else {
                note("the worker's first job ended " + ended.terminalType() + " (" + ended.failureReason() + ")");
            }
        } else {
            note("the worker's first job did not end within " + FIRST_JOB_COMPLETION.toSeconds() + " s");
        }
        sleep(settings.settle());
        startup.rssSettledMb = worker.memory().rssMb();
        startup.peakRssMb = worker.memory().peakRssMb();
        startup.liveHeapMb = worker.liveHeapMb();
        out.printf(Locale.ROOT, "  worker-1: RSS %.0f MiB %d s later, live heap after a full GC %.0f MiB%n",
                startup.rssSettledMb, settings.settle().toSeconds(), startup.liveHeapMb);
    }

    private AppRun launchWorker(String name) {
        LocalStack stack = system.stack();
        Map<String, String> properties = new LinkedHashMap<>(stack.quarkusConfig());
        properties.remove("sdq.storage.secret-key"); // by environment, never on the command line
        properties.put("sdq.model.dir", variant.modelDir(settings.workerModel(), settings.home()).toString());
        properties.put("sdq.model.name", settings.workerModel());
        properties.put("sdq.worker.id", name);
        int port = AppRun.freePort();
        properties.putAll(expand(settings.workerProperties(), name, port));
        AppRun app = AppRun.launch(name, variant.workerJar(), dir, port, settings.workerJvmOptions(), properties,
                Map.of("SDQ_STORAGE_SECRET_KEY", stack.secretKey()));
        running.add(app);
        out.printf(Locale.ROOT, "  %s: launched on port %d (pid %d, model %s, log %s)%n", name, port, app.pid(),
                settings.workerModel(), app.process().log());
        return app;
    }

    /** A request as the dispatcher would publish it, for when no dispatcher is ready. */
    private String produceDirectly() {
        String jobId = UUID.randomUUID().toString();
        RequestShape shape = RequestShape.small();
        GenerationRequested request = new GenerationRequested(jobId, shape.prompt(), null, shape.width(),
                shape.height(), shape.steps(), 7.5, null, null, 1, null, Instant.now());
        RecordHeaders headers = new RecordHeaders();
        headers.add(Headers.CONTENT_TYPE, Headers.JSON.getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_SPECVERSION, Headers.CE_SPECVERSION_VALUE.getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_TYPE, Headers.TYPE_REQUESTED.getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_SOURCE, "/sdq/bench/history".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_subject", jobId.getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_TIME, Instant.now().toString().getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                system.bootstrapServers(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS, null, jobId.getBytes(StandardCharsets.UTF_8),
                    EventJson.toBytes(request), headers));
            producer.flush();
        }
        return jobId;
    }

    private void stopWorkers() {
        List<AppRun> workers = running.stream().filter(app -> app.name().startsWith("worker")).toList();
        workers.forEach(AppRun::close);
        running.removeAll(workers);
    }

    // ------------------------------------------------------------------ end to end

    private record Submitted(String jobId, int status, long sentMicros, double submitMs) {
    }

    private Submitted submit(URI dispatcher) {
        long sent = BenchClock.nowMicros();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(dispatcher.resolve("/v1/generations"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(RequestShape.small().body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            double ms = (BenchClock.nowMicros() - sent) / 1000.0;
            Matcher m = JOB_ID.matcher(response.body());
            return new Submitted(response.statusCode() == 202 && m.find() ? m.group(1) : null, response.statusCode(),
                    sent, ms);
        } catch (java.io.IOException e) {
            return new Submitted(null, 0, sent, Double.NaN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Submitted(null, 0, sent, Double.NaN);
        }
    }

    /**
     * {@code e2eJobs} submissions at {@code e2eRate}/s (open model: each at its planned time, on a thread of its
     * own, so a slow answer does not delay the next), alternating over the dispatchers; then waits for every
     * accepted job's terminal event. Latency: send to the {@code completed} event received.
     */
    private EndToEnd endToEnd(Map<String, URI> dispatchers, EventTracker tracker) throws InterruptedException {
        if (settings.e2eJobs() <= 0) {
            return EndToEnd.SKIPPED;
        }
        out.printf(Locale.ROOT, "  end to end: %d jobs at %.1f/s over %s, worker-1 running them%n",
                settings.e2eJobs(), settings.e2eRate(), dispatchers.keySet());
        AppRun worker = running.stream().filter(app -> app.name().startsWith("worker") && app.alive()).findFirst()
                .orElse(null);
        if (worker == null || !worker.ready()) {
            note("end to end skipped: no ready worker");
            return EndToEnd.SKIPPED;
        }
        List<URI> targets = List.copyOf(dispatchers.values());
        List<Submitted> submitted = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> senders = new ArrayList<>();
        long begin = System.nanoTime();
        long interval = (long) (1e9 / settings.e2eRate());
        for (int i = 0; i < settings.e2eJobs(); i++) {
            long planned = begin + i * interval;
            long wait;
            while ((wait = planned - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            URI target = targets.get(i % targets.size());
            Thread sender = new Thread(() -> submitted.add(submit(target)), "sdq-bench-e2e-" + i);
            sender.setDaemon(true);
            sender.start();
            senders.add(sender);
        }
        for (Thread sender : senders) {
            sender.join(15_000);
        }
        List<Submitted> accepted = submitted.stream().filter(s -> s.jobId() != null).toList();
        List<String> ids = accepted.stream().map(Submitted::jobId).toList();
        tracker.awaitTerminals(ids, settings.e2eTimeout());
        List<Double> latencies = new ArrayList<>();
        int completed = 0;
        int failed = 0;
        for (Submitted s : accepted) {
            Optional<EventTracker.JobEvents> seen = tracker.job(s.jobId());
            if (seen.isPresent() && seen.get().completed()) {
                completed++;
                completedHere.add(s.jobId());
                latencies.add((seen.get().terminalReceivedMicros() - s.sentMicros()) / 1000.0);
            } else if (seen.isPresent() && seen.get().ended()) {
                failed++;
            }
        }
        EndToEnd result = new EndToEnd(submitted.size(), accepted.size(), submitted.size() - accepted.size(),
                completed, failed, accepted.size() - completed - failed, Percentiles.of(latencies),
                Percentiles.of(accepted.stream().mapToDouble(Submitted::submitMs).toArray()));
        out.printf(Locale.ROOT, "  end to end: %d submitted, %d accepted, %d completed, %d failed, %d lost; submit ->"
                        + " completed %s%n", result.submitted(), result.accepted(), result.completed(),
                result.failed(), result.lost(), result.latencyMs().line());
        return result;
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
        LookupLoad.Result result = LookupLoad.run(dispatchers, ids, FINAL_STATUS, settings.lookupRate(),
                settings.lookupWarmup(), settings.lookupDuration(), dir.resolve("gatling"),
                "sdq bench history: lookups, H=" + history.jobs() + ", " + variant.name());
        for (LookupStats stats : result.byReplica().values()) {
            Percentiles p = stats.latency();
            out.printf(Locale.ROOT, "  lookups %s: %,d answered, %,d with the final status, %,d not found, %,d errors;"
                    + " latency %s%n", stats.replica(), stats.answeredCount(), stats.ok(), stats.notFound(),
                    stats.errors(), p.line());
        }
        return result;
    }

    // ------------------------------------------------------------------ helpers

    private void note(String text) {
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

    private static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
