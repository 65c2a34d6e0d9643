package dev.sdqueue.loadtests.ingest;

import dev.sdqueue.loadtests.Percentiles;
import dev.sdqueue.loadtests.report.BenchReport;
import dev.sdqueue.loadtests.report.HtmlReport;
import dev.sdqueue.loadtests.report.MermaidChart;
import dev.sdqueue.loadtests.report.Series;
import dev.sdqueue.loadtests.report.SvgChart;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints an ingest run (table, ratio line last) and writes its summary.json, index.html and plots.md. */
final class IngestReport {
    private final IngestFigures f;
    private final JfrHotMethods.Profile profile;
    private final BenchReport report;

    IngestReport(IngestFigures figures, JfrHotMethods.Profile profile, BenchReport report) {
        this.f = figures;
        this.profile = profile;
        this.report = report;
    }

    void print(PrintStream out) throws IOException {
        List<String> text = lines();
        report.writeJson(json());
        report.writeHtml(html(text));
        report.writeMarkdown(markdown());
        out.println();
        text.forEach(out::println);
        out.println("reports: " + report.dir().resolve("index.html") + ", " + report.dir().resolve("summary.json")
                + ", " + report.dir().resolve("plots.md"));
        if (f.gatlingReport() != null) {
            out.println("         " + f.gatlingReport() + " (HTTP, Gatling)");
        }
        out.println(lastLine());
    }

    String lastLine() {
        String batch = f.batched() ? String.format(Locale.ROOT, " dispatcher_batch=%.0f/s batch_ratio=%.4f "
                + "batch_size=%d", f.batchCapacity(), f.batchRatio(), f.settings().batchSize()) : "";
        return String.format(Locale.ROOT, "ingest: dispatcher=%.0f/s raw_producer=%.0f/s ratio=%.4f%s "
                + "record_bytes=%d errors=%d", f.capacity(), f.rawProducer().recordsPerSecond(), f.ratio(), batch,
                f.recordSize().value(), f.errors());
    }

    List<String> lines() {
        List<String> lines = new ArrayList<>();
        RequestRecordProbe.RecordSize size = f.recordSize();
        ProducerPerformanceRun.Summary raw = f.rawProducer();
        lines.add(String.format(Locale.ROOT, "== ingest: dispatcher vs Kafka's ProducerPerformance (same broker, "
                + "record value %d B, acks=all, %d partitions) ==", size.value(), size.partitions()));
        lines.add(String.format(Locale.ROOT, "dispatcher record: value %d B + key %d B + %d headers %d B (the raw "
                + "producer sends the value only)", size.value(), size.key(), size.headerCount(), size.headers()));
        lines.add(String.format(Locale.ROOT, "raw producer: %,.0f records/s, latency avg %.1f p50 %.0f p95 %.0f p99 %.0f"
                + " max %.0f ms (%s)", raw.recordsPerSecond(), raw.avgMs(), raw.p50Ms(), raw.p95Ms(), raw.p99Ms(),
                raw.maxMs(), f.producer().size() > 1 ? "steady state after warm-up records" : "all records"));
        double ppCpu = f.producerCpuSeconds().getOrDefault("ProducerPerformance", 0.0);
        double brokerCpu = f.producerCpuSeconds().getOrDefault("kafka broker", 0.0);
        lines.add(String.format(Locale.ROOT, "  CPU over its %.1f s: producer %.1f s, broker %.1f s -> %.1f + %.1f µs "
                + "per record", f.producerWallSeconds(), ppCpu, brokerCpu, ppCpu / raw.records() * 1e6,
                brokerCpu / raw.records() * 1e6));
        lines.add("capacity sweep (closed model: N submissions in flight, the next sent when one is answered):");
        lines.add(String.format("  %-10s %11s %10s %10s %7s %11s %8s %9s %13s", "in flight", "accepted/s",
                "submit p50", "p99 ms", "errors", "dispatcher", "broker", "load gen", "disp CPU/req"));
        for (IngestRun.Step step : f.sweep()) {
            lines.add(stepLine(step.name().replace("inflight-", ""), step));
        }
        lines.add("fixed rates (open model: arrivals independent of answers):");
        lines.add(String.format("  %-10s %11s %10s %10s %7s %11s %8s %9s %13s   %s", "rate/s", "accepted/s",
                "submit p50", "p99 ms", "errors", "dispatcher", "broker", "load gen", "disp CPU/req", "p95/max ms"));
        for (IngestRun.Step step : f.fixedRates()) {
            lines.add(stepLine(step.name().replace("rate-", ""), step) + String.format(Locale.ROOT, "   %s/%s",
                    Percentiles.ms(step.submitLatency().p95()), Percentiles.ms(step.submitLatency().max())));
        }
        if (f.batched()) {
            lines.add(String.format(Locale.ROOT, "batch capacity sweep (closed model: N POST /v1/generations/batch "
                    + "requests of %d jobs in flight; counted in jobs):", f.settings().batchSize()));
            lines.add(String.format("  %-10s %11s %10s %10s %7s %11s %8s %9s %13s", "in flight", "jobs/s",
                    "submit p50", "p99 ms", "errors", "dispatcher", "broker", "load gen", "disp CPU/job"));
            for (IngestRun.Step step : f.batchSweep()) {
                lines.add(stepLine(step.name().replace("batch-inflight-", ""), step));
            }
        }
        lines.add("  (CPU columns: cores busy on average in the step; CPU/req, CPU/job: dispatcher CPU ms per accepted "
                + "request or job; batch errors are jobs not accepted)");
        lines.add("dispatcher CPU by thread over the sweep and the rates (s): " + threads(8));
        if (profile != null) {
            lines.add("dispatcher profile (JFR execution samples, " + profile.samples() + " samples), by package: "
                    + percentages(profile.packages(), profile.samples(), 10));
            lines.add("  by first frame outside the JDK: " + percentages(profile.libraries(), profile.samples(), 12));
            lines.add("  hot methods (self): " + percentages(profile.methods(), profile.samples(), 12));
        }
        IngestRun.Step best = f.best();
        lines.add(String.format(Locale.ROOT, "dispatcher capacity %.0f accepted/s (at %s in flight) = %.2f %% of the raw"
                + " producer's %.0f records/s (ceiling 100 %%)", f.capacity(), best.name().replace("inflight-", ""),
                100 * f.ratio(), raw.recordsPerSecond()));
        if (f.batched()) {
            lines.add(String.format(Locale.ROOT, "dispatcher batch capacity %.0f jobs/s (%d-job batches, %s in flight)"
                    + " = %.2f %% of the raw producer; %.1f x the single-request capacity", f.batchCapacity(),
                    f.settings().batchSize(), f.batchBest().name().replace("batch-inflight-", ""),
                    100 * f.batchRatio(), f.batchCapacity() / f.capacity()));
        }
        return lines;
    }

    private String stepLine(String label, IngestRun.Step step) {
        double wall = Math.max(step.wallSeconds(), 1e-9);
        double dispatcher = step.cpuSeconds().getOrDefault("dispatcher", 0.0);
        return String.format(Locale.ROOT, "  %-10s %11.1f %10s %10s %7d %11.2f %8.2f %9.2f %13.3f", label,
                step.acceptedPerSecond(), Percentiles.ms(step.submitLatency().p50()),
                Percentiles.ms(step.submitLatency().p99()), step.errors(), dispatcher / wall,
                step.cpuSeconds().getOrDefault("kafka broker", 0.0) / wall,
                step.cpuSeconds().getOrDefault(IngestRun.LOAD_GENERATOR, 0.0) / wall,
                step.accepted() == 0 ? Double.NaN : dispatcher * 1000 / step.accepted());
    }

    private String threads(int top) {
        List<String> parts = new ArrayList<>();
        f.dispatcherThreadCpuSeconds().entrySet().stream().limit(top)
                .forEach(e -> parts.add(String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue())));
        return String.join(", ", parts);
    }

    private static String percentages(Map<String, Long> counts, long total, int top) {
        List<String> parts = new ArrayList<>();
        counts.entrySet().stream().limit(top).forEach(e -> parts.add(String.format(Locale.ROOT, "%s %.1f%%",
                e.getKey(), 100.0 * e.getValue() / Math.max(1, total))));
        return String.join(", ", parts);
    }

    private Map<String, Object> json() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("bench", "ingest");
        map.put("settings", f.settings());
        map.put("recordSize", f.recordSize());
        map.put("rawProducer", f.producer());
        map.put("rawProducerCpuSeconds", f.producerCpuSeconds());
        map.put("sweep", f.sweep());
        map.put("fixedRates", f.fixedRates());
        map.put("dispatcherThreadCpuSeconds", f.dispatcherThreadCpuSeconds());
        map.put("capacityPerSecond", f.capacity());
        map.put("rawProducerPerSecond", f.rawProducer().recordsPerSecond());
        map.put("ratio", f.ratio());
        if (f.batched()) {
            map.put("batchSize", f.settings().batchSize());
            map.put("batchSweep", f.batchSweep());
            map.put("batchCapacityJobsPerSecond", f.batchCapacity());
            map.put("batchRatio", f.batchRatio());
        }
        map.put("errors", f.errors());
        if (profile != null) {
            map.put("dispatcherProfile", profile);
        }
        map.put("lastLine", lastLine());
        return map;
    }

    private HtmlReport html(List<String> text) {
        HtmlReport page = new HtmlReport("sdq bench ingest");
        page.pre(String.join("\n", text) + "\n" + lastLine());
        double[] x = f.sweep().stream().mapToDouble(s -> Double.parseDouble(s.name().replace("inflight-", "")))
                .toArray();
        double[] accepted = f.sweep().stream().mapToDouble(IngestRun.Step::acceptedPerSecond).toArray();
        List<Series> capacity = new ArrayList<>(List.of(Series.line("dispatcher, one job per request", x, accepted)));
        if (f.batched()) {
            capacity.add(Series.line("dispatcher, " + f.settings().batchSize() + "-job batches (jobs/s)",
                    f.batchSweep().stream().mapToDouble(s -> Double.parseDouble(s.name().replace("batch-inflight-",
                            ""))).toArray(), f.batchSweep().stream().mapToDouble(IngestRun.Step::acceptedPerSecond)
                            .toArray()));
        }
        page.heading("Capacity").chart(SvgChart.xy("Accepted jobs/s by requests in flight (closed model)",
                "in flight", "accepted/s", capacity));
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (IngestRun.Step step : f.fixedRates()) {
            String rate = step.name().replace("rate-", "");
            for (String p : List.of("p50", "p95", "p99")) {
                labels.add(rate + "/s " + p);
                values.add(switch (p) {
                    case "p50" -> step.submitLatency().p50();
                    case "p95" -> step.submitLatency().p95();
                    default -> step.submitLatency().p99();
                });
            }
        }
        page.heading("Submit latency at fixed rates").chart(SvgChart.bars("Submit latency (ms) at fixed open-model "
                + "rates", "rate and percentile", "ms", labels, values.stream().mapToDouble(Double::doubleValue)
                .toArray()));
        if (f.gatlingReport() != null) {
            page.link("Gatling's report (HTTP side)", report.dir().relativize(java.nio.file.Path.of(f.gatlingReport()))
                    .toString());
        }
        return page;
    }

    private String markdown() {
        List<String> levels = f.sweep().stream().map(s -> s.name().replace("inflight-", "")).toList();
        String capacity = MermaidChart.xy("Dispatcher accepted/s by submissions in flight", "in flight", levels,
                "accepted/s", List.of(new MermaidChart.Values(f.sweep().stream()
                        .mapToDouble(IngestRun.Step::acceptedPerSecond).toArray(), true)));
        List<String> rates = f.fixedRates().stream().map(s -> s.name().replace("rate-", "") + "/s").toList();
        String latency = MermaidChart.xy("Submit latency at fixed rates: p50 (1st line), p99 (2nd line)", "rate",
                rates, "ms", List.of(
                        new MermaidChart.Values(f.fixedRates().stream().mapToDouble(s -> s.submitLatency().p50())
                                .toArray(), false),
                        new MermaidChart.Values(f.fixedRates().stream().mapToDouble(s -> s.submitLatency().p99())
                                .toArray(), false)));
        if (f.batched()) {
            List<String> batchLevels = f.batchSweep().stream().map(s -> s.name().replace("batch-inflight-", ""))
                    .toList();
            capacity += "\n" + MermaidChart.xy("Dispatcher jobs/s accepted in " + f.settings().batchSize()
                    + "-job batches by batch requests in flight", "in flight", batchLevels, "jobs/s",
                    List.of(new MermaidChart.Values(f.batchSweep().stream()
                            .mapToDouble(IngestRun.Step::acceptedPerSecond).toArray(), true)));
        }
        return capacity + "\n" + latency;
    }
}
