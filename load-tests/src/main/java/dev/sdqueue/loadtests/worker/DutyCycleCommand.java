package dev.sdqueue.loadtests.worker;

import dev.sdqueue.loadtests.BenchEnvironment;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.local.LocalSystem;
import dev.sdqueue.loadtests.report.BenchReport;
import dev.sdqueue.loadtests.report.HtmlReport;
import dev.sdqueue.loadtests.report.SvgChart;
import dev.sdqueue.loadtests.report.MermaidChart;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sdq bench duty}: one worker at saturation (a backlog on the request topic) with each benchmark model, once
 * finishing jobs on the model's thread ({@code sdq.worker.finishing-jobs=0}, the earlier behaviour) and once on a
 * finishing thread (=2, the default): the duty cycle (model time / wall time, ceiling 100%), jobs/s, the time per
 * job by stage, whether PNG and upload overlap the next job's inference, and the worker's memory.
 */
@Command(name = "duty", mixinStandardHelpOptions = true,
        description = "Worker duty cycle at saturation, per stage, before/after pipelining (BENCHMARKS.md).")
public final class DutyCycleCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", defaultValue = "bench-100ms,bench-1s",
            description = "model folders under models/target (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--finishing", split = ",", defaultValue = "0,2",
            description = "sdq.worker.finishing-jobs values to compare (default: ${DEFAULT-VALUE})")
    List<Integer> finishing;

    @Option(names = "--backlog", defaultValue = "20s", converter = dev.sdqueue.loadtests.DurationConverter.class,
            description = "work queued per run, in model time (default: ${DEFAULT-VALUE})")
    Duration backlog;

    @Option(names = "--min-jobs", defaultValue = "8", description = "at least this many jobs per run")
    int minJobs;

    @Option(names = "--size", defaultValue = "256", description = "image width and height (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--steps", defaultValue = "10", description = "denoising steps; with the model on one thread 10 steps' time is what the models were sized for on two (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--model-threads", defaultValue = "1", description = "ONNX Runtime intra-op threads: 1 gives the"
            + " model one core as its 'accelerator' and leaves the other to the host work (PNG, upload, Kafka, S3), as"
            + " on a GPU machine; 0 lets ORT take every core (default: ${DEFAULT-VALUE})")
    int modelThreads;

    @Option(names = "-D", mapFallbackValue = "", description = "extra worker property, e.g."
            + " -Dsdq.pipeline.progress-every=5 (repeatable)")
    Map<String, String> workerProperties = new LinkedHashMap<>();

    @Option(names = "--home", description = "repository root (default: -Dsdq.home or found upwards)")
    Path home;

    @Option(names = {"--out", "--report-dir"}, description = "where reports go (default: <home>/.sdq/bench)")
    Path reportDir;

    @Option(names = "--smoke", description = "seconds-long run for CI: bench-100ms only, finishing 0 and 2, 8 jobs each")
    boolean smoke;

    @Override
    public Integer call() throws Exception {
        Path root = BenchEnvironment.home(home);
        if (smoke) {
            models = List.of("bench-100ms");
            backlog = Duration.ofMillis(1);
            minJobs = 8;
            steps = 4;
            size = 128;
        }
        BenchReport report = BenchReport.create(BenchEnvironment.reportBase(root, reportDir), "duty");
        List<SaturationRun.Result> results = new ArrayList<>();
        for (String model : models) {
            for (int finishingJobs : finishing) {
                String label = model + " finishing-jobs=" + finishingJobs;
                System.out.println("duty: " + label + ": starting Kafka, S3 and one worker ...");
                BenchSystem.Options options = BenchSystem.Options.in(root, report.dir().resolve("system-" + model
                                + "-f" + finishingJobs)).withDispatcher(false).withWorkers(1)
                        .withModelDir(LocalSystem.modelDir(root, model))
                        .withWorkerProperty("sdq.model.name", model)
                        .withWorkerProperty("sdq.worker.finishing-jobs", Integer.toString(finishingJobs))
                        .withWorkerProperty("sdq.pipeline.warmup-sizes", size + "x" + size)
                        .withWorkerProperty("sdq.pipeline.warmup-batches", "1")
                        .withWorkerProperty("sdq.pipeline.intra-op-threads", Integer.toString(modelThreads))
                        .withWorkerProperties(workerProperties);
                try (BenchSystem system = BenchSystem.start(options, line -> { })) {
                    SaturationRun.Result result = SaturationRun.run(label, system,
                            new RequestBacklog.Shape(model, size, size, steps, 7.5), backlog, minJobs,
                            Duration.ofMinutes(10), System.out::println);
                    results.add(result);
                    System.out.println(line(result));
                }
                BenchEnvironment.deleteStackData(options.workDir());
            }
        }
        System.out.println();
        System.out.print(table(results));
        report.writeJson(Map.of("bench", "duty", "size", size, "steps", steps, "modelThreads", modelThreads,
                "runs", results));
        report.writeMarkdown(plots(results));
        report.writeHtml(html(results));
        System.out.println("reports: " + report.dir().resolve("index.html") + ", " + report.dir().resolve("summary.json")
                + ", " + report.dir().resolve("plots.md"));
        for (String model : models) {
            System.out.println(ratioLine(model, results));
        }
        return results.stream().anyMatch(r -> r.failed() > 0) ? 1 : 0;
    }

    private static String line(SaturationRun.Result r) {
        return String.format(Locale.ROOT, "duty: %s: %d jobs in %.1f s, %.2f jobs/s, duty cycle %.1f%% (ceiling 100%%),"
                        + " model idle %.1f ms/job, finishing %.1f ms/job, failed %d", r.label(), r.jobs(),
                r.wallSeconds(), r.jobsPerSecond(), 100 * r.dutyCycle(), r.modelIdleMsPerJob(),
                r.finishingMsPerJob(), r.failed());
    }

    static String table(List<SaturationRun.Result> results) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-28s %6s %7s %6s", "run", "duty%",
                "jobs/s", "idle"));
        for (String stage : WorkerMetrics.STAGES) {
            out.append(String.format(Locale.ROOT, " %9s", stage.length() > 9 ? stage.substring(0, 9) : stage));
        }
        out.append(String.format(Locale.ROOT, " %8s %8s %8s %8s%n", "rssIdle", "rssPeak", "heapIdle", "heapPeak"));
        for (SaturationRun.Result r : results) {
            out.append(String.format(Locale.ROOT, "%-28s %6.1f %7.2f %6.1f", r.label(), 100 * r.dutyCycle(),
                    r.jobsPerSecond(), r.modelIdleMsPerJob()));
            for (String stage : WorkerMetrics.STAGES) {
                out.append(String.format(Locale.ROOT, " %9.2f", r.stageMsPerJob().getOrDefault(stage, 0.0)));
            }
            out.append(String.format(Locale.ROOT, " %8.0f %8.0f %8.0f %8.0f%n", r.idleRssMb(), r.peakRssMb(),
                    r.idleHeapMb(), r.peakHeapMb()));
        }
        return out.append("(ms per job by stage; idle = wall - model time per job; memory in MiB)\n").toString();
    }

    /** Before (the lowest finishing-jobs value) and after (the highest), for one model. */
    static String ratioLine(String model, List<SaturationRun.Result> results) {
        List<SaturationRun.Result> runs = results.stream().filter(r -> r.label().startsWith(model + " ")).toList();
        if (runs.isEmpty()) {
            return "duty: " + model + ": no run";
        }
        SaturationRun.Result before = runs.get(0);
        SaturationRun.Result after = runs.get(runs.size() - 1);
        boolean overlap = after.modelIdleMsPerJob() < after.finishingMsPerJob();
        return String.format(Locale.ROOT, "duty: model=%s duty_before=%.3f duty_after=%.3f ceiling=1 jobs_per_s_before=%.3f"
                        + " jobs_per_s_after=%.3f finishing_ms=%.1f model_idle_ms=%.1f overlap=%s failed=%d", model,
                before.dutyCycle(), after.dutyCycle(), before.jobsPerSecond(), after.jobsPerSecond(),
                after.finishingMsPerJob(), after.modelIdleMsPerJob(), overlap ? "yes" : "no",
                runs.stream().mapToInt(SaturationRun.Result::failed).sum());
    }

    private HtmlReport html(List<SaturationRun.Result> results) {
        HtmlReport page = new HtmlReport("sdqueue bench duty").heading("Worker duty cycle at saturation")
                .paragraph("One worker, a backlog on the request topic, " + size + "x" + size + ", " + steps
                        + " steps, guidance 7.5, model on " + modelThreads + " ORT thread(s). Duty = model seconds"
                        + " (text encoder + each denoising step + VAE) / wall seconds between two scrapes taken while"
                        + " the model always had work; ceiling 100%.");
        List<String> header = new ArrayList<>(List.of("run", "duty %", "jobs/s", "model idle ms/job"));
        WorkerMetrics.STAGES.forEach(stage -> header.add(stage + " ms"));
        header.addAll(List.of("RSS idle MiB", "RSS peak MiB", "heap idle MiB", "heap peak MiB"));
        List<List<String>> rows = new ArrayList<>();
        for (SaturationRun.Result r : results) {
            List<String> row = new ArrayList<>(List.of(r.label(), fmt(100 * r.dutyCycle()), fmt(r.jobsPerSecond()),
                    fmt(r.modelIdleMsPerJob())));
            WorkerMetrics.STAGES.forEach(stage -> row.add(fmt(r.stageMsPerJob().getOrDefault(stage, 0.0))));
            row.addAll(List.of(fmt(r.idleRssMb()), fmt(r.peakRssMb()), fmt(r.idleHeapMb()), fmt(r.peakHeapMb())));
            rows.add(row);
        }
        List<String> labels = results.stream().map(SaturationRun.Result::label).toList();
        return page.table(header, rows)
                .chart(SvgChart.bars("Duty cycle (%; ceiling 100)", "run", "%", labels,
                        results.stream().mapToDouble(r -> 100 * r.dutyCycle()).toArray()))
                .chart(SvgChart.bars("Jobs/s", "run", "jobs/s", labels,
                        results.stream().mapToDouble(SaturationRun.Result::jobsPerSecond).toArray()))
                .chart(SvgChart.bars("Model idle per job (ms; ceiling 0)", "run", "ms", labels,
                        results.stream().mapToDouble(SaturationRun.Result::modelIdleMsPerJob).toArray()));
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String plots(List<SaturationRun.Result> results) {
        List<String> labels = results.stream().map(SaturationRun.Result::label).toList();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("duty", results.stream().mapToDouble(r -> 100 * r.dutyCycle()).toArray());
        return MermaidChart.xy("Worker duty cycle at saturation (%; ceiling 100)", "run", labels, "duty cycle %",
                List.of(new MermaidChart.Values(series.get("duty"), true)));
    }
}
