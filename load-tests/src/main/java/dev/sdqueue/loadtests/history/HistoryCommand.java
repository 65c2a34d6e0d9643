package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.BenchEnvironment;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.loadtests.DurationConverter;
import dev.sdqueue.loadtests.report.BenchReport;
import dev.sdqueue.local.ContractTopics;
import dev.sdqueue.local.LocalStackConfig;
import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sdq bench history}: what the job history costs a new dispatcher replica and a new worker, against H jobs
 * of history, for one or more builds in the same run. Per H: a private broker + S3Proxy preloaded with H finished
 * jobs (the records the real dispatcher and worker write, {@link HistoryJobs}) by a bulk producer, the workers' group
 * committed at the end; then per variant (a checkout's packaged jars) the measurements of {@link VariantRun}. Reports
 * under {@code .sdq/bench/history-<timestamp>/}; last line {@code history: ...} ({@link HistoryReport#lastLine()}).
 */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Dispatcher and worker startup, memory and status lookups against H jobs of history "
                + "(issue 10), for one or more builds (--variant NAME=HOME) in the same run. Private stack per H "
                + "(free ports), preloaded by a bulk producer.",
                "Last line: history: sizes=… largest=H <variant>.dispatcher_ready_s=… .worker_first_job_s=… "
                        + ".dispatcher_rss_ratio=… .worker_rss_ratio=… .lookup_p99_ms=… …"})
public final class HistoryCommand implements Callable<Integer> {
    /** Passed to every dispatcher unless overridden: what a Kafka Streams dispatcher needs per replica. */
    static final Map<String, String> DEFAULT_DISPATCHER_PROPERTIES = defaults();

    @Option(names = "--sizes", split = ",", defaultValue = "0,1000000,5000000", paramLabel = "H",
            description = "jobs of history, one run per value (ascending); default ${DEFAULT-VALUE}")
    List<Long> sizes;
    @Option(names = "--variant", paramLabel = "NAME=HOME", description = "a checkout whose packaged jars to run "
            + "(dispatcher/target/quarkus-app, worker/target/quarkus-app); repeatable, run in this order on the same "
            + "preloaded broker; default: current=<this checkout>")
    List<String> variantSpecs = new ArrayList<>();
    @Option(names = "--lookup-rate", defaultValue = "1000", description = "status lookups per second (open "
            + "model) over the dispatchers; default ${DEFAULT-VALUE}")
    double lookupRate;
    @Option(names = "--lookup-duration", converter = DurationConverter.class, defaultValue = "30s")
    Duration lookupDuration;
    @Option(names = "--lookup-warmup", converter = DurationConverter.class, defaultValue = "10s", description =
            "unmeasured lookups before, their rate ramping up to --lookup-rate (JIT, connections); default "
                    + "${DEFAULT-VALUE}")
    Duration lookupWarmup;
    @Option(names = "--e2e-jobs", defaultValue = "50", description = "new jobs submitted after the worker's first; "
            + "submit -> completed p50/p99; default ${DEFAULT-VALUE}")
    int e2eJobs;
    @Option(names = "--e2e-rate", defaultValue = "5", description = "their submissions per second; default "
            + "${DEFAULT-VALUE}")
    double e2eRate;
    @Option(names = "--e2e-timeout", converter = DurationConverter.class, defaultValue = "120s")
    Duration e2eTimeout;
    @Option(names = "--ready-timeout", converter = DurationConverter.class, defaultValue = "600s",
            description = "longest a dispatcher may take to be ready and serve the history, or a worker to start its"
                    + " first job; then it is recorded as 'timeout'; default ${DEFAULT-VALUE}")
    Duration readyTimeout;
    @Option(names = "--variant-ready-timeout", paramLabel = "NAME=DURATION", description = "--ready-timeout for one variant (e.g. a build known not to get "
            + "ready at the largest H, so that it does not hold the run up)")
    Map<String, String> variantReadyTimeoutSpecs = new LinkedHashMap<>();
    private final Map<String, Duration> variantReadyTimeouts = new LinkedHashMap<>();
    @Option(names = "--partitions", description = "partitions of the request, retry and event topics (default: the "
            + "local stack's, " + LocalStackConfig.DEFAULT_PARTITIONS + ")")
    int partitions = LocalStackConfig.DEFAULT_PARTITIONS;
    @Option(names = "--progress-events", defaultValue = "2", description = "progress events per history job; "
            + "default ${DEFAULT-VALUE}")
    int progressEvents;
    @Option(names = "--history-span", converter = DurationConverter.class, defaultValue = "20h",
            description = "the history's CreateTimes are spread over this much time before now (inside the worker's"
                    + " 24 h lookback and the topics' 7-day retention); default ${DEFAULT-VALUE}")
    Duration historySpan;
    @Option(names = "--preload-threads", defaultValue = "2", description = "threads generating and sending the "
            + "history through one producer; default ${DEFAULT-VALUE}")
    int preloadThreads;
    @Option(names = "--seed", defaultValue = "20261206", description = "the history's job ids and details")
    long seed;
    @Option(names = "--worker-model", defaultValue = "bench-wallclock", description = "model under models/target "
            + "of the new worker (the wall-clock benchmark model: sleeps per step); default ${DEFAULT-VALUE}")
    String workerModel;
    @Option(names = "--dispatcher-jvm", defaultValue = "-Xmx4g -XX:+ExitOnOutOfMemoryError", description = "JVM "
            + "options of each dispatcher (space-separated; a heap large enough that memory that grows with H shows "
            + "as RSS before it shows as an OOM); default ${DEFAULT-VALUE}")
    String dispatcherJvm;
    @Option(names = "--worker-jvm", defaultValue = "-Xmx2g -XX:+ExitOnOutOfMemoryError", description = "JVM options"
            + " of the worker; default ${DEFAULT-VALUE}")
    String workerJvm;
    @Option(names = "--dispatcher-property", paramLabel = "KEY=VALUE", description = "extra -D for every dispatcher "
            + "({port}, {stateDir}, {name} are replaced per process; an empty VALUE drops a default). Defaults: "
            + "kafka-streams.state.dir={stateDir}, sdq.dispatcher.advertised-address=127.0.0.1:{port}, "
            + "smallrye.config.mapping.validate-unknown=false (so a build without those keys still starts)")
    Map<String, String> dispatcherProperties = new LinkedHashMap<>();
    @Option(names = "--worker-property", paramLabel = "KEY=VALUE", description = "extra -D for the worker (same "
            + "placeholders)")
    Map<String, String> workerProperties = new LinkedHashMap<>();
    @Option(names = "--settle", converter = DurationConverter.class, defaultValue = "5s", description = "RSS is "
            + "read again this long after ready; default ${DEFAULT-VALUE}")
    Duration settle;
    @Option(names = "--no-restart", description = "skip restarting dispatcher A at the end")
    boolean noRestart;
    @Option(names = "--keep-data", description = "keep each H's broker and S3 data (deleted by default)")
    boolean keepData;
    @Option(names = "--smoke", description = "seconds-long run for CI: --sizes 0,2000 --lookup-rate 100 "
            + "--lookup-duration 3s --lookup-warmup 2s --e2e-jobs 5 --e2e-rate 10 --settle 1s --ready-timeout 180s")
    boolean smoke;
    @Option(names = "--out", paramLabel = "DIR", description = "report base folder (default .sdq/bench)")
    Path out;
    @Option(names = "--home", paramLabel = "DIR", description = "repository root (default -Dsdq.home)")
    Path home;

    private PrintStream console = System.out;

    public HistoryCommand withConsole(PrintStream stream) {
        this.console = stream;
        return this;
    }

    private static Map<String, String> defaults() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("kafka-streams.state.dir", VariantRun.STATE_DIR);
        map.put("sdq.dispatcher.advertised-address", "127.0.0.1:" + VariantRun.PORT);
        // The dispatcher before the Streams store rejects unknown sdq.* keys (SRCFG00050) unless told not to.
        map.put("smallrye.config.mapping.validate-unknown", "false");
        return map;
    }

    @Override
    public Integer call() throws Exception {
        if (smoke) {
            sizes = List.of(0L, 2000L);
            lookupRate = 100;
            lookupDuration = Duration.ofSeconds(3);
            lookupWarmup = Duration.ofSeconds(2);
            e2eJobs = 5;
            e2eRate = 10;
            settle = Duration.ofSeconds(1);
            readyTimeout = Duration.ofSeconds(180);
        }
        Path root = BenchEnvironment.home(home);
        List<Long> jobs = sizes.stream().sorted().distinct().toList();
        if (jobs.isEmpty() || jobs.get(0) < 0) {
            console.println("history: --sizes must be one or more values >= 0");
            return 2;
        }
        List<Variant> variants = new ArrayList<>();
        try {
            for (String spec : variantSpecs) {
                variants.add(Variant.parse(spec));
            }
        } catch (IllegalArgumentException e) {
            console.println("history: " + e.getMessage());
            return 2;
        }
        if (variants.isEmpty()) {
            variants.add(Variant.of("current", root));
        }
        if (variants.stream().map(Variant::name).distinct().count() < variants.size()) {
            console.println("history: variant names must differ");
            return 2;
        }
        for (Map.Entry<String, String> spec : variantReadyTimeoutSpecs.entrySet()) {
            if (variants.stream().noneMatch(v -> v.name().equals(spec.getKey()))) {
                console.println("history: --variant-ready-timeout names no variant: " + spec.getKey());
                return 2;
            }
            try {
                variantReadyTimeouts.put(spec.getKey(), new DurationConverter().convert(spec.getValue()));
            } catch (Exception e) {
                console.println("history: --variant-ready-timeout " + spec.getKey() + ": " + e.getMessage());
                return 2;
            }
        }
        for (Variant variant : variants) {
            if (!variant.missing().isEmpty()) {
                console.println("history: variant " + variant.name() + " (" + variant.home() + ") is not built: "
                        + "missing " + variant.missing() + "; package it first (mvn -B package -DskipTests in it)");
                return 1;
            }
        }
        Map<String, String> dispatcherProps = new LinkedHashMap<>(DEFAULT_DISPATCHER_PROPERTIES);
        dispatcherProperties.forEach((key, value) -> {
            if (value == null || value.isEmpty()) {
                dispatcherProps.remove(key);
            } else {
                dispatcherProps.put(key, value);
            }
        });
        VariantRun.Settings settings = new VariantRun.Settings(readyTimeout, lookupRate, lookupWarmup, lookupDuration,
                e2eJobs,
                e2eRate, e2eTimeout, workerModel, split(dispatcherJvm), split(workerJvm), dispatcherProps,
                workerProperties, settle, !noRestart, root);
        BenchReport report = BenchReport.create(BenchEnvironment.reportBase(root, out), "history");
        Instant startedAt = Instant.now();
        Map<String, Object> machineBefore = MachineLoad.snapshot();
        Map<String, Object> settingsMap = settingsMap(jobs, variants, settings);
        console.printf(Locale.ROOT, "bench history: H = %s, variants %s; report %s%n", jobs, variants.stream()
                .map(v -> v.name() + "=" + v.home() + " (" + v.commit() + ")").toList(), report.dir());
        console.println("machine: " + machineBefore);

        List<HistoryReport.SizeRun> done = new ArrayList<>();
        for (long h : jobs) {
            done.add(runSize(root, report, h, variants, settings, done, settingsMap, machineBefore, startedAt));
        }
        HistoryReport history = new HistoryReport(done, variants);
        writeAll(report, history, settingsMap, machineBefore, startedAt, true);
        history.print(console);
        console.println("reports: " + report.dir().resolve("index.html") + ", " + report.dir().resolve("summary.json")
                + ", " + report.dir().resolve("plots.md"));
        console.println(history.lastLine());
        return 0;
    }

    private HistoryReport.SizeRun runSize(Path root, BenchReport report, long h, List<Variant> variants,
                                          VariantRun.Settings settings, List<HistoryReport.SizeRun> earlier,
                                          Map<String, Object> settingsMap, Map<String, Object> machine,
                                          Instant startedAt) throws Exception {
        long begin = System.nanoTime();
        String loadBefore = MachineLoad.loadAverage();
        Path sizeDir = report.dir().resolve("h-" + h);
        Path systemDir = sizeDir.resolve("system");
        console.printf(Locale.ROOT, "%n== H = %,d jobs of history: starting a private Kafka + S3Proxy (load %s) ==%n",
                h, loadBefore);
        BenchSystem.Options options = BenchSystem.Options.in(root, systemDir).withDispatcher(false).withWorkers(0)
                .withPartitions(partitions);
        List<VariantRun.Result> results = new ArrayList<>();
        HistoryPreload.Result preload;
        try (BenchSystem system = BenchSystem.start(options, line -> console.println("  " + line))) {
            HistoryJobs history = new HistoryJobs(h, partitions, progressEvents,
                    Instant.now().minus(Duration.ofMinutes(1)), historySpan, seed);
            List<String> groupTopics = ContractTopics.partitioned().stream().filter(t -> !t.equals(Topics.EVENTS))
                    .toList();
            preload = HistoryPreload.run(system.bootstrapServers(), history, preloadThreads, groupTopics,
                    systemDir.resolve("kafka/data"), console);
            long[] lateJobs = history.lastJobPerPartition();
            BrokerBaseline baseline = BrokerBaseline.snapshot(system.bootstrapServers());
            for (Variant variant : variants) {
                console.printf(Locale.ROOT, "%n-- H = %,d, variant %s (%s, %s), load %s --%n", h, variant.name(),
                        variant.home(), variant.commit(), MachineLoad.loadAverage());
                HistoryPreload.commitAtEnd(system.bootstrapServers(), groupTopics);
                Path variantDir = sizeDir.resolve(variant.name());
                VariantRun.Settings own = settings.withReadyTimeout(variantReadyTimeouts.getOrDefault(
                        variant.name(), settings.readyTimeout()));
                VariantRun.Result result = new VariantRun(variant, system, history, lateJobs, own, variantDir,
                        console).run();
                results.add(result);
                baseline.restore(system.bootstrapServers(), console);
                deleteQuietly(variantDir.resolve("state"));
                console.printf(Locale.ROOT, "-- H = %,d, variant %s: done in %.0f s --%n", h, variant.name(),
                        result.seconds());
                List<HistoryReport.SizeRun> sofar = new ArrayList<>(earlier);
                sofar.add(new HistoryReport.SizeRun(h, preload, results, (System.nanoTime() - begin) / 1e9,
                        loadBefore, MachineLoad.loadAverage()));
                writeAll(report, new HistoryReport(sofar, variants), settingsMap, machine, startedAt, false);
            }
        } finally {
            if (!keepData) {
                BenchEnvironment.deleteStackData(systemDir);
            }
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        console.printf(Locale.ROOT, "== H = %,d: %.0f s (preload %.0f s) ==%n", h, seconds, preload.seconds());
        return new HistoryReport.SizeRun(h, preload, results, seconds, loadBefore, MachineLoad.loadAverage());
    }

    /** Written after every variant, so a long run that is stopped still leaves what it measured. */
    private void writeAll(BenchReport report, HistoryReport history, Map<String, Object> settingsMap,
                          Map<String, Object> machineBefore, Instant startedAt, boolean finished) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("bench", "history");
        summary.put("finished", finished);
        summary.put("startedAt", startedAt.toString());
        summary.put("writtenAt", Instant.now().toString());
        summary.put("settings", settingsMap);
        summary.put("machineAtStart", machineBefore);
        summary.put("machineNow", MachineLoad.snapshot());
        summary.put("sizes", history.sizes().stream().map(HistoryReport.SizeRun::toMap).toList());
        summary.put("lastLine", history.lastLine());
        history.write(report, summary, settingsMap, machineBefore, method());
    }

    private Map<String, Object> settingsMap(List<Long> jobs, List<Variant> variants, VariantRun.Settings s) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sizes", jobs);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Variant v : variants) {
            list.add(Map.of("name", v.name(), "home", v.home().toString(), "commit", v.commit()));
        }
        map.put("variants", list);
        map.put("partitions", partitions);
        map.put("progressEventsPerJob", progressEvents);
        map.put("historySpan", historySpan.toString());
        map.put("seed", seed);
        map.put("preloadThreads", preloadThreads);
        map.put("lookupRate", s.lookupRate());
        map.put("lookupWarmup", s.lookupWarmup().toString());
        map.put("lookupDuration", s.lookupDuration().toString());
        map.put("e2eJobs", s.e2eJobs());
        map.put("e2eRate", s.e2eRate());
        map.put("readyTimeout", s.readyTimeout().toString());
        Map<String, String> own = new LinkedHashMap<>();
        variantReadyTimeouts.forEach((name, timeout) -> own.put(name, timeout.toString()));
        map.put("variantReadyTimeouts", own);
        map.put("workerModel", s.workerModel());
        map.put("dispatcherJvmOptions", s.dispatcherJvmOptions());
        map.put("workerJvmOptions", s.workerJvmOptions());
        map.put("dispatcherProperties", s.dispatcherProperties());
        map.put("workerProperties", s.workerProperties());
        map.put("settle", s.settle().toString());
        map.put("restart", s.restart());
        return map;
    }

    private String method() {
        return "Per H: a private Kafka 4.4 broker and S3Proxy, preloaded by one plain KafkaProducer (acks=1, 256 KiB "
                + "batches) with H finished jobs written as the dispatcher and worker write them (a request, started, "
                + progressEvents + " progress and completed with a ~700-character presigned URL per job; keys = job "
                + "ids; their CloudEvents headers; CreateTimes over the " + historySpan.toHours() + " h before now), "
                + "the workers' group committed at the log end. Then per variant: dispatcher A launched and timed to "
                + "/q/health/ready and to the last job of every partition answered 'succeeded'; a second replica B "
                + "(own port and state dir) the same; RSS = VmRSS from /proc; one job queued through a dispatcher, "
                + "then a new worker (" + workerModel + ") launched and timed to its started event; " + e2eJobs
                + " new jobs at " + e2eRate + "/s (submit -> completed); " + lookupRate + " status lookups/s for "
                + lookupDuration.toSeconds() + " s after a " + lookupWarmup.toSeconds() + " s warm-up ramp (Gatling, "
                + "open model, random known history ids, round-robin over A and B, a 404 counts as an error); dispatcher A restarted with its state. Topics and groups a variant "
                + "creates are deleted before the next one. All on this machine's cores together with the broker.";
    }

    private static List<String> split(String options) {
        return options == null || options.isBlank() ? List.of() : Arrays.asList(options.strip().split("\\s+"));
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // best effort: state dirs are under the report folder anyway
        }
    }
}
