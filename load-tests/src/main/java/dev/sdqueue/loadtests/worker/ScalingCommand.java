package dev.sdqueue.loadtests.worker;

import dev.sdqueue.loadtests.BenchEnvironment;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.local.LocalSystem;
import dev.sdqueue.loadtests.EventTracker;
import dev.sdqueue.loadtests.report.BenchReport;
import dev.sdqueue.loadtests.report.HtmlReport;
import dev.sdqueue.loadtests.report.SvgChart;
import dev.sdqueue.loadtests.report.MermaidChart;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sdq bench scaling}: jobs/s with 1, 2, 3 worker processes on one backlog, with the BENCHMARK model
 * {@code bench-wallclock} (each step sleeps; a job costs wall time, not CPU, so several workers can share two cores).
 * The ceiling is N times one worker's rate.
 */
@Command(name = "scaling", mixinStandardHelpOptions = true,
        description = "Jobs/s versus worker processes, with the wall-clock benchmark model (BENCHMARKS.md).")
public final class ScalingCommand implements Callable<Integer> {
    static final String MODEL = "bench-wallclock";

    @Option(names = "--workers", split = ",", defaultValue = "1,2,3", description = "worker counts (default: ${DEFAULT-VALUE})")
    List<Integer> workerCounts;

    @Option(names = "--steps", defaultValue = "20",
            description = "steps per job; the model sleeps its step_ms (10 ms) per step (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--backlog", defaultValue = "15s", converter = dev.sdqueue.loadtests.DurationConverter.class,
            description = "work queued per run, in time for all workers together (default: ${DEFAULT-VALUE})")
    Duration backlog;

    @Option(names = "--partitions", defaultValue = "6", description = "request topic partitions (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--home", description = "repository root (default: -Dsdq.home or found upwards)")
    Path home;

    @Option(names = {"--out", "--report-dir"}, description = "where reports go (default: <home>/.sdq/bench)")
    Path reportDir;

    @Option(names = "--smoke", description = "seconds-long run for CI: 1 and 2 workers, short backlog, 5 steps")
    boolean smoke;

    /** One worker count's result. */
    record Run(int workers, int jobs, double seconds, double jobsPerSecond, double jobMs, Map<String, Long> perWorker,
               long failed) {
    }

    @Override
    public Integer call() throws Exception {
        Path root = BenchEnvironment.home(home);
        if (smoke) {
            workerCounts = List.of(1, 2);
            backlog = Duration.ofSeconds(2);
            steps = 5;
        }
        BenchReport report = BenchReport.create(BenchEnvironment.reportBase(root, reportDir), "scaling");
        System.out.println("scaling: BENCHMARK MODEL " + MODEL + " (sleeps per step: wall time, not CPU; never a"
                + " default), " + steps + " steps per job");
        List<Run> runs = new ArrayList<>();
        for (int n : workerCounts) {
            BenchSystem.Options options = BenchSystem.Options.in(root, report.dir().resolve("system-" + n))
                    .withDispatcher(false).withWorkers(n).withPartitions(partitions)
                    .withModelDir(LocalSystem.modelDir(root, MODEL))
                    .withWorkerProperty("sdq.model.name", MODEL)
                    .withWorkerJvmOptions(List.of("-Xmx256m", "-XX:+UseSerialGC"));
            System.out.println("scaling: " + n + " worker(s): starting ...");
            try (BenchSystem system = BenchSystem.start(options, line -> { })) {
                Run run = measure(system, n);
                runs.add(run);
                System.out.printf(Locale.ROOT, "scaling: %d worker(s): %d jobs in %.1f s = %.2f jobs/s (job %.0f ms;"
                        + " per worker %s; failed %d)%n", n, run.jobs(), run.seconds(), run.jobsPerSecond(),
                        run.jobMs(), run.perWorker().values(), run.failed());
            }
            BenchEnvironment.deleteStackData(options.workDir());
        }
        report.writeJson(Map.of("bench", "scaling", "model", MODEL, "steps", steps, "runs", runs));
        report.writeMarkdown(MermaidChart.xy("Jobs/s vs worker processes (benchmark model " + MODEL + ")",
                "workers", runs.stream().map(r -> Integer.toString(r.workers())).toList(), "jobs/s",
                List.of(new MermaidChart.Values(runs.stream().mapToDouble(Run::jobsPerSecond).toArray(), true),
                        new MermaidChart.Values(runs.stream().mapToDouble(r -> r.workers() * runs.get(0)
                                .jobsPerSecond() / runs.get(0).workers()).toArray(), false))));
        report.writeHtml(html(runs));
        System.out.println("reports: " + report.dir().resolve("index.html") + ", " + report.dir().resolve("summary.json")
                + ", " + report.dir().resolve("plots.md"));
        System.out.println(ratioLine(runs));
        return runs.stream().anyMatch(r -> r.failed() > 0) ? 1 : 0;
    }

    private Run measure(BenchSystem system, int workers) throws Exception {
        RequestBacklog.Shape shape = new RequestBacklog.Shape(MODEL, 64, 64, steps, 7.5);
        try (EventTracker events = EventTracker.startAtEnd(system.bootstrapServers())) {
            // Warm-up: every worker has joined the group and run a job before the clock starts.
            List<String> warm = RequestBacklog.send(system.bootstrapServers(), shape, 4 * workers);
            if (!events.awaitTerminals(warm, Duration.ofMinutes(5))) {
                throw new IllegalStateException("warm-up jobs did not end");
            }
            double jobMs = events.job(warm.get(warm.size() - 1)).flatMap(j -> j.timing("totalMs")).orElse(200.0);
            int jobs = (int) Math.max(4L * workers, backlog.toMillis() * workers / Math.max(1, (long) jobMs));
            long start = System.nanoTime();
            List<String> ids = RequestBacklog.send(system.bootstrapServers(), shape, jobs);
            if (!events.awaitTerminals(ids, Duration.ofMinutes(10))) {
                throw new IllegalStateException(events.endedCount(ids) + " of " + jobs + " jobs ended");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Long> perWorker = new TreeMap<>();
            long failed = 0;
            for (String id : ids) {
                EventTracker.JobEvents job = events.job(id).orElseThrow();
                perWorker.merge(String.valueOf(job.worker()), 1L, Long::sum);
                failed += job.completed() ? 0 : 1;
            }
            return new Run(workers, jobs, seconds, jobs / seconds, jobMs, perWorker, failed);
        }
    }

    private HtmlReport html(List<Run> runs) {
        List<List<String>> rows = new ArrayList<>();
        double one = runs.get(0).jobsPerSecond() / runs.get(0).workers();
        for (Run run : runs) {
            rows.add(List.of(Integer.toString(run.workers()), Integer.toString(run.jobs()), fmt(run.seconds()),
                    fmt(run.jobsPerSecond()), fmt(one * run.workers()), fmt(100 * run.jobsPerSecond()
                            / (one * run.workers())), run.perWorker().values().toString(), Long.toString(run.failed())));
        }
        List<String> labels = runs.stream().map(r -> Integer.toString(r.workers())).toList();
        return new HtmlReport("sdqueue bench scaling").heading("Jobs/s versus worker processes")
                .paragraph("BENCHMARK MODEL " + MODEL + ": each step sleeps (wall time, not CPU), " + steps
                        + " steps per job, " + partitions + " partitions. Ceiling: N x one worker's rate.")
                .table(List.of("workers", "jobs", "seconds", "jobs/s", "ceiling jobs/s", "% of ceiling",
                        "jobs per worker", "failed"), rows)
                .chart(SvgChart.bars("Jobs/s by worker count", "workers", "jobs/s", labels,
                        runs.stream().mapToDouble(Run::jobsPerSecond).toArray()));
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static String ratioLine(List<Run> runs) {
        StringBuilder line = new StringBuilder("scaling:");
        double one = runs.get(0).jobsPerSecond() / runs.get(0).workers();
        for (Run run : runs) {
            line.append(String.format(Locale.ROOT, " n%d_jobs_per_s=%.3f n%d_of_ceiling=%.3f", run.workers(),
                    run.jobsPerSecond(), run.workers(), run.jobsPerSecond() / (one * run.workers())));
        }
        return line.append(" failed=").append(runs.stream().mapToLong(Run::failed).sum()).toString();
    }
}
