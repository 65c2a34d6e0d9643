package dev.sdqueue.loadtests.latency;

import dev.sdqueue.loadtests.BenchEnvironment;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.loadtests.DurationConverter;
import dev.sdqueue.loadtests.RequestTimestamps;
import dev.sdqueue.loadtests.load.JobSample;
import dev.sdqueue.loadtests.load.LoadPhase;
import dev.sdqueue.loadtests.load.LoadPlan;
import dev.sdqueue.loadtests.load.LoadRun;
import dev.sdqueue.loadtests.load.RequestShape;
import dev.sdqueue.loadtests.report.BenchReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sdq bench latency}: the latency the system adds around the model on an idle system. A private stack,
 * the dispatcher and one worker; jobs at a slow open-model rate so none ever waits behind another; per job
 * added = (terminal event received − send) − {@code completed.timings.totalMs}. Ceiling: 0 ms added.
 */
@Command(name = "latency", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Added latency on an idle system: end to end minus the worker's pipeline time, p50/p99, with a "
                + "breakdown from the events. Private system (free ports).",
                "Last line: latency: jobs=N e2e_p50_ms=… added_p50_ms=… added_p99_ms=… added_share_p50=…"})
public final class LatencyCommand implements Callable<Integer> {
    @Option(names = "--jobs", defaultValue = "100", description = "measured jobs; default ${DEFAULT-VALUE}")
    int jobs;
    @Option(names = "--warmup-jobs", defaultValue = "10", description = "jobs before, not measured (JIT, connections)")
    int warmupJobs;
    @Option(names = "--rate", defaultValue = "2", description = "submissions/s, slow enough that jobs never queue; "
            + "default ${DEFAULT-VALUE}")
    double rate;
    @Option(names = "--size", paramLabel = "WxH", defaultValue = "64x64") String size;
    @Option(names = "--steps", defaultValue = "4") int steps;
    @Option(names = "--model", paramLabel = "DIR", description = "default models/target/tiny-random") Path model;
    @Option(names = "--worker-property", paramLabel = "KEY=VALUE", description = "extra -D for the worker")
    Map<String, String> workerProperties = new LinkedHashMap<>();
    @Option(names = "--drain-timeout", converter = DurationConverter.class, defaultValue = "120s")
    Duration drainTimeout;
    @Option(names = "--smoke", description = "seconds-long run for CI: --jobs 10 --warmup-jobs 4 --rate 4")
    boolean smoke;
    @Option(names = "--out", paramLabel = "DIR", description = "report base folder (default .sdq/bench)") Path out;
    @Option(names = "--home", paramLabel = "DIR", description = "repository root (default -Dsdq.home)") Path home;

    private PrintStream console = System.out;

    public LatencyCommand withConsole(PrintStream stream) {
        this.console = stream;
        return this;
    }

    @Override
    public Integer call() throws Exception {
        if (smoke) {
            jobs = 10;
            warmupJobs = 4;
            rate = 4;
        }
        Path root = BenchEnvironment.home(home);
        BenchReport report = BenchReport.create(BenchEnvironment.reportBase(root, out), "latency");
        String[] wh = size.split("x");
        RequestShape shape = new RequestShape(RequestShape.small().prompt(), Integer.parseInt(wh[0]),
                Integer.parseInt(wh[1]), steps, null, null);
        Map<String, String> worker = new LinkedHashMap<>();
        worker.put("sdq.pipeline.warmup-sizes", shape.width() + "x" + shape.height()); // warm what is measured
        worker.put("sdq.pipeline.warmup-batches", "1");
        worker.putAll(workerProperties);
        BenchSystem.Options options = BenchSystem.Options.in(root, report.dir().resolve("system")).withWorkers(1)
                .withWorkerProperties(worker);
        if (model != null) {
            options = options.withModelDir(model.toAbsolutePath());
        }
        console.println("bench latency: " + jobs + " jobs at " + rate + "/s (after " + warmupJobs + " warm-up jobs), "
                + "request " + shape + ", model " + options.modelDir());
        try (BenchSystem system = BenchSystem.start(options, line -> console.println("  " + line))) {
            List<LoadPhase> phases = new java.util.ArrayList<>();
            if (warmupJobs > 0) {
                phases.add(LoadPhase.arrivals("warmup", warmupJobs, seconds(warmupJobs / rate)));
            }
            phases.add(LoadPhase.arrivals("measure", jobs, seconds(jobs / rate)));
            LoadPlan plan = new LoadPlan(system.dispatcherUri(), shape.body(), phases, true, Duration.ofSeconds(30));
            LoadRun.Outcome outcome;
            Map<String, Long> requestRecordMs = new java.util.HashMap<>();
            try (RequestTimestamps requests = RequestTimestamps.startAtEnd(system.bootstrapServers())) {
                outcome = LoadRun.execute(plan, system.bootstrapServers(), drainTimeout, report.gatlingDir(),
                        "sdq bench latency", console);
                for (JobSample job : outcome.result().jobs()) {
                    requests.createdMs(job.submission().jobId())
                            .ifPresent(ms -> requestRecordMs.put(job.submission().jobId(), ms));
                }
            }
            LatencyReport latency = new LatencyReport(outcome.result().onlyPhase("measure"), requestRecordMs, shape,
                    rate, options.modelDir(), outcome.gatlingReport().orElse(null), report);
            latency.print(console);
            return latency.clean() ? 0 : 1;
        } finally {
            BenchEnvironment.deleteStackData(report.dir().resolve("system"));
        }
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.max(100, Math.round(seconds * 1000)));
    }
}
