package dev.sdqueue.loadtests.ingest;

import dev.sdqueue.loadtests.BenchEnvironment;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.loadtests.CpuSampler;
import dev.sdqueue.loadtests.Percentiles;
import dev.sdqueue.loadtests.ThreadCpu;
import dev.sdqueue.loadtests.load.LoadPhase;
import dev.sdqueue.loadtests.load.LoadPlan;
import dev.sdqueue.loadtests.load.LoadResult;
import dev.sdqueue.loadtests.load.LoadRun;
import dev.sdqueue.loadtests.load.RequestShape;
import dev.sdqueue.loadtests.load.Submission;
import dev.sdqueue.loadtests.report.BenchReport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ingest bench on a private system (Kafka + S3Proxy + dispatcher, no worker):
 * <ol>
 * <li>warm-up of the dispatcher (8 submissions in flight), then one of its records is read back: the exact value
 *     size (and key and header sizes) of a request as the dispatcher writes it;</li>
 * <li>Kafka's ProducerPerformance with that record size, acks=all, throughput unlimited, on a topic with the
 *     request topic's partition count, same broker (the dispatcher idle meanwhile);</li>
 * <li>capacity: a closed-model sweep (N submissions in flight, each answered before the next) — the highest accepted
 *     rate of any level is the dispatcher's capacity;</li>
 * <li>submit latency at fixed open-model rates;</li>
 * <li>unless the batch size is 0: the capacity sweep again with {@code POST /v1/generations/batch} bodies of that
 *     many jobs (after a short batch warm-up), counted in jobs accepted per second.</li>
 * </ol>
 * The CPU each process used in each step is sampled, since all share the machine's cores.
 */
public final class IngestRun {
    public static final String PERF_TOPIC = "sdq.bench.producer-perf";
    static final String LOAD_GENERATOR = "load generator (this JVM)";

    /** What to run. */
    public record Settings(Duration warmup, long records, long warmupRecords, List<Integer> levels,
                           Duration levelDuration, List<Integer> rates, Duration rateDuration, RequestShape shape,
                           boolean profile, Map<String, String> dispatcherProperties, Path dispatcherJar,
                           int batchSize) {
    }

    /** One measured step: its figures and the CPU seconds each process used in its window. */
    public record Step(String name, String description, long submitted, long accepted, long errors,
                       Map<Integer, Long> errorsByStatus, double offeredPerSecond, double acceptedPerSecond,
                       Percentiles submitLatency, double wallSeconds, Map<String, Double> cpuSeconds) {
    }

    private final Path home;
    private final Path reportBase;
    private final Settings settings;
    private final PrintStream out;

    public IngestRun(Path home, Path reportBase, Settings settings, PrintStream out) {
        this.home = home;
        this.reportBase = reportBase;
        this.settings = settings;
        this.out = out;
    }

    /** Runs everything, prints the table and the ratio line last; 0 if every step ran and nothing failed. */
    public int execute() throws Exception {
        BenchReport report = BenchReport.create(reportBase, "ingest");
        Path systemDir = report.dir().resolve("system");
        out.println("bench ingest: private system in " + systemDir + "; request " + settings.shape()
                + (settings.dispatcherProperties().isEmpty() ? "" : "; dispatcher " + settings.dispatcherProperties())
                + (settings.dispatcherJar() == null ? "" : "; dispatcher build " + settings.dispatcherJar()));
        IngestFigures figures;
        try (BenchSystem system = BenchSystem.start(IngestCommand.systemOptions(home, systemDir, settings),
                line -> out.println("  " + line));
             CpuSampler cpu = new CpuSampler(Map.of("dispatcher", system.dispatcher().pid(), "kafka broker",
                     system.stack().kafkaPid(), LOAD_GENERATOR, ProcessHandle.current().pid()),
                     Duration.ofMillis(500))) {
            figures = measure(system, cpu, report);
        } finally {
            BenchEnvironment.deleteStackData(systemDir);
        }
        JfrHotMethods.Profile profile = null;
        if (settings.profile() && Files.isRegularFile(systemDir.resolve("dispatcher.jfr"))) {
            profile = JfrHotMethods.read(systemDir.resolve("dispatcher.jfr"), 25);
        }
        new IngestReport(figures, profile, report).print(out);
        return figures.errorFree() ? 0 : 1;
    }

    private IngestFigures measure(BenchSystem system, CpuSampler cpu, BenchReport report) throws Exception {
        byte[] body = settings.shape().body();
        LoadPlan warmup = new LoadPlan(system.dispatcherUri(), body,
                List.of(LoadPhase.concurrency("warmup", 8, settings.warmup())), true, Duration.ofSeconds(30));
        out.println("step 1: warm-up, then read one request record back");
        LoadRun.Outcome warm = LoadRun.execute(warmup, null, Duration.ZERO, report.gatlingDir(), "ingest warm-up", out);
        RequestRecordProbe.RecordSize size = RequestRecordProbe.probe(system.bootstrapServers(), Duration.ofSeconds(30));
        out.printf("record as the dispatcher writes it: value %d B, key %d B, %d headers %d B; %d partitions%n",
                size.value(), size.key(), size.headerCount(), size.headers(), size.partitions());

        out.println("step 2: Kafka's ProducerPerformance, same broker, record size " + size.value() + " B, acks=all");
        RequestRecordProbe.createTopic(system.bootstrapServers(), PERF_TOPIC, size.partitions());
        List<String> command = ProducerPerformanceRun.command(home, system.bootstrapServers(), PERF_TOPIC,
                settings.records(), size.value(), settings.warmupRecords());
        out.println("  " + String.join(" ", command.stream().map(a -> a.length() > 120 ? "<kafka-server classpath>" : a)
                .toList()));
        long ppStart = dev.sdqueue.loadtests.BenchClock.nowMicros();
        List<ProducerPerformanceRun.Summary> perf = ProducerPerformanceRun.run(command,
                report.dir().resolve("producer-performance"), process -> cpu.add("ProducerPerformance", process.pid()),
                line -> out.println("  | " + line));
        long ppEnd = dev.sdqueue.loadtests.BenchClock.nowMicros();
        Map<String, Double> ppCpu = cpu.cpuSeconds(ppStart, ppEnd);

        out.println("step 3 and 4: capacity sweep " + settings.levels() + " in flight, then fixed rates "
                + settings.rates() + "/s");
        List<LoadPhase> phases = new ArrayList<>();
        settings.levels().forEach(n -> phases.add(LoadPhase.concurrency("inflight-" + n, n, settings.levelDuration())));
        settings.rates().forEach(r -> phases.add(LoadPhase.constantRate("rate-" + r, r, settings.rateDuration())));
        LoadPlan plan = new LoadPlan(system.dispatcherUri(), body, phases, true, Duration.ofSeconds(30));
        Map<String, Double> threadsBefore = ThreadCpu.snapshot(system.dispatcher().pid());
        LoadRun.Outcome load = LoadRun.execute(plan, null, Duration.ZERO, report.gatlingDir(), "ingest", out);
        Map<String, Double> threads = ThreadCpu.delta(threadsBefore, ThreadCpu.snapshot(system.dispatcher().pid()));

        List<Step> sweep = new ArrayList<>();
        List<Step> fixed = new ArrayList<>();
        for (LoadPhase phase : phases) {
            Step step = step(phase, load.result(), cpu);
            (phase.open() ? fixed : sweep).add(step);
        }
        List<Step> batchSweep = settings.batchSize() > 0 ? batchSweep(system, cpu) : List.of();
        return new IngestFigures(settings, size, perf, ppCpu, (ppEnd - ppStart) / 1e6, sweep, fixed, threads,
                warm.result().httpErrorCount(), load.gatlingReport().map(Path::toString).orElse(null), batchSweep);
    }

    private List<Step> batchSweep(BenchSystem system, CpuSampler cpu) throws InterruptedException {
        int jobs = settings.batchSize();
        byte[] body = BatchSweep.body(settings.shape().body(), jobs);
        out.println("step 5: capacity sweep " + settings.levels() + " batch requests in flight, " + jobs
                + " jobs each (POST /v1/generations/batch, " + body.length + " B), after a "
                + settings.warmup().toSeconds() + " s batch warm-up (8 in flight)");
        List<Step> steps = new ArrayList<>();
        try (BatchSweep sweep = new BatchSweep(system.dispatcherUri(), Duration.ofSeconds(30))) {
            sweep.run(body, 8, settings.warmup());
            for (int level : settings.levels()) {
                List<BatchSweep.Answer> answers = sweep.run(body, level, settings.levelDuration());
                Step step = batchStep("batch-inflight-" + level, level + " batch requests of " + jobs
                        + " jobs in flight for " + settings.levelDuration().toSeconds() + " s", answers, jobs, cpu);
                out.printf("  %s: %.0f jobs/s accepted, %d errors%n", step.name(), step.acceptedPerSecond(),
                        step.errors());
                steps.add(step);
            }
        }
        return steps;
    }

    /** Counted in jobs: submitted = requests × batch size, accepted = jobs listed in 202 answers, errors = the rest. */
    private static Step batchStep(String name, String description, List<BatchSweep.Answer> answers, int jobs,
                                  CpuSampler cpu) {
        long submitted = (long) answers.size() * jobs;
        long accepted = answers.stream().mapToLong(BatchSweep.Answer::jobs).sum();
        Map<Integer, Long> errors = new LinkedHashMap<>();
        answers.stream().filter(a -> a.status() != 202).forEach(a -> errors.merge(a.status(), 1L, Long::sum));
        long first = answers.stream().mapToLong(BatchSweep.Answer::sendMicros).min().orElse(0);
        long last = answers.stream().mapToLong(BatchSweep.Answer::answerMicros).max().orElse(first);
        double seconds = Math.max(last - first, 1) / 1e6;
        Percentiles latency = Percentiles.of(answers.stream().filter(a -> a.status() == 202)
                .mapToDouble(BatchSweep.Answer::latencyMs).toArray());
        return new Step(name, description, submitted, accepted, submitted - accepted, errors, submitted / seconds,
                accepted / seconds, latency, cpu.wallSeconds(first, last), cpu.cpuSeconds(first, last));
    }

    private static Step step(LoadPhase phase, LoadResult result, CpuSampler cpu) {
        List<Submission> own = result.phase(phase.name());
        long accepted = own.stream().filter(Submission::accepted).count();
        Map<Integer, Long> errors = new LinkedHashMap<>();
        own.stream().filter(s -> !s.accepted()).forEach(s -> errors.merge(s.status(), 1L, Long::sum));
        long first = own.isEmpty() ? 0 : own.get(0).sendMicros();
        long last = own.stream().mapToLong(Submission::answerMicros).max().orElse(first);
        double seconds = (last - first) / 1e6;
        Percentiles latency = Percentiles.of(own.stream().filter(Submission::accepted)
                .mapToDouble(Submission::latencyMs).toArray());
        Map<String, Double> used = cpu.cpuSeconds(first, last);
        return new Step(phase.name(), phase.describe(), own.size(), accepted, own.size() - accepted, errors,
                own.size() / seconds, accepted / seconds, latency, cpu.wallSeconds(first, last), used);
    }
}
