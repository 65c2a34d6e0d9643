package dev.sdqueue.loadtests.latency;

import dev.sdqueue.loadtests.Percentiles;
import dev.sdqueue.loadtests.load.JobSample;
import dev.sdqueue.loadtests.load.LoadReportPage;
import dev.sdqueue.loadtests.load.LoadResult;
import dev.sdqueue.loadtests.load.RequestShape;
import dev.sdqueue.loadtests.load.Submission;
import dev.sdqueue.loadtests.report.BenchReport;
import dev.sdqueue.loadtests.report.HtmlReport;
import dev.sdqueue.loadtests.report.MermaidChart;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The figures of a latency run (measured phase only), printed with the ratio line last and written as reports. */
final class LatencyReport {
    /** One row of the breakdown: a figure per completed job. */
    private record Row(String name, Percentiles values) {
    }

    private final LoadResult result;
    private final Map<String, Long> requestRecordMs;
    private final RequestShape shape;
    private final double rate;
    private final Path model;
    private final Path gatlingReport;
    private final BenchReport report;

    LatencyReport(LoadResult result, Map<String, Long> requestRecordMs, RequestShape shape, double rate, Path model,
                  Path gatlingReport, BenchReport report) {
        this.result = result;
        this.requestRecordMs = requestRecordMs;
        this.shape = shape;
        this.rate = rate;
        this.model = model;
        this.gatlingReport = gatlingReport;
        this.report = report;
    }

    /** Every measured submission accepted and completed, nothing lost. */
    boolean clean() {
        return result.httpErrorCount() == 0 && result.failed() == 0 && result.lost() == 0
                && result.completed() == result.submitted();
    }

    private List<Row> rows() {
        return List.of(
                new Row("end to end (send -> terminal event received)", result.endToEnd()),
                new Row("pipeline (completed.timings.totalMs)", result.pipeline()),
                new Row("added = end to end - pipeline", result.added()),
                new Row("  send -> started.at (HTTP, publish, request topic, worker poll)", of(JobSample::toStartedMs)),
                new Row("    send -> request record created (dispatcher: HTTP, validation, send)",
                        of(this::sendToRecordMs)),
                new Row("    request record -> started.at (topic, worker poll and dequeue)", of(this::recordToStartedMs)),
                new Row("  started.at -> completed.at, minus pipeline", of(JobSample::inWorkerBesidesPipelineMs)),
                new Row("    of which upload (timings.uploadMs)", of(JobSample::uploadMs)),
                new Row("  completed.at -> received (publish + delivery of the event)", of(JobSample::deliveryMs)),
                new Row("submit (HTTP 202, for reference)", Percentiles.of(result.submissions().stream()
                        .filter(Submission::accepted).mapToDouble(Submission::latencyMs).toArray())));
    }

    /** Record timestamps are whole ms: these two are good to about 1 ms. */
    private double sendToRecordMs(JobSample job) {
        Long created = requestRecordMs.get(job.submission().jobId());
        return created == null ? Double.NaN : created - job.submission().sendMicros() / 1000.0;
    }

    private double recordToStartedMs(JobSample job) {
        Long created = requestRecordMs.get(job.submission().jobId());
        return created == null || job.events().startedAtMicros() == 0 ? Double.NaN
                : job.events().startedAtMicros() / 1000.0 - created;
    }

    private Percentiles of(ToDoubleFunction<JobSample> figure) {
        return result.ofCompleted(figure);
    }

    /** Per job added / end to end, its median. */
    double addedShareP50() {
        return of(job -> job.addedMs() / job.endToEndMs()).p50();
    }

    String lastLine() {
        return String.format(Locale.ROOT, "latency: jobs=%d completed=%d failed=%d lost=%d e2e_p50_ms=%.1f "
                + "e2e_p99_ms=%.1f pipeline_p50_ms=%.1f added_p50_ms=%.1f added_p99_ms=%.1f added_share_p50=%.3f",
                result.submitted(), result.completed(), result.failed(), result.lost(), result.endToEnd().p50(),
                result.endToEnd().p99(), result.pipeline().p50(), result.added().p50(), result.added().p99(),
                addedShareP50());
    }

    List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "== added latency on an idle system: %d jobs at %s/s, %s, model %s ==",
                result.submitted(), rate, shape, model.getFileName()));
        lines.add(String.format(Locale.ROOT, "submitted %d, accepted %d, completed %d, failed %d %s, lost %d",
                result.submitted(), result.accepted(), result.completed(), result.failed(), result.failedByReason(),
                result.lost()));
        lines.add(String.format("  %-72s %9s %9s %9s", "ms", "p50", "p99", "max"));
        for (Row row : rows()) {
            lines.add(String.format("  %-72s %9s %9s %9s", row.name(), Percentiles.ms(row.values().p50()),
                    Percentiles.ms(row.values().p99()), Percentiles.ms(row.values().max())));
        }
        lines.add(String.format(Locale.ROOT, "added / end to end: %.1f %% at the median (per job), %.1f %% of the "
                + "p50s; ceiling: 0 ms added (end to end = pipeline)", 100 * addedShareP50(),
                100 * result.added().p50() / result.endToEnd().p50()));
        return lines;
    }

    void print(PrintStream out) throws IOException {
        List<String> text = lines();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("bench", "latency");
        json.put("request", shape.toString());
        json.put("ratePerSecond", rate);
        json.put("model", model.toString());
        Map<String, Object> breakdown = new LinkedHashMap<>();
        rows().forEach(row -> breakdown.put(row.name().strip(), row.values().toMap()));
        json.put("breakdownMs", breakdown);
        json.put("addedShareP50", addedShareP50());
        json.put("result", result.summary());
        json.put("lastLine", lastLine());
        report.writeJson(json);
        HtmlReport page = new HtmlReport("sdq bench latency — added latency on an idle system");
        page.pre(String.join("\n", text) + "\n" + lastLine());
        if (gatlingReport != null) {
            page.link("Gatling's report (HTTP side)", report.dir().relativize(gatlingReport).toString());
        }
        LoadReportPage view = new LoadReportPage(result);
        view.addTo(page);
        report.writeHtml(page);
        List<Row> rows = rows();
        report.writeMarkdown(MermaidChart.xy("Latency on an idle system (ms): p50 bars, p99 line", "figure",
                List.of("end to end", "pipeline", "added", "to started", "in worker", "delivery"), "ms", List.of(
                        new MermaidChart.Values(pick(rows, true), true), new MermaidChart.Values(pick(rows, false),
                                false))));
        out.println();
        text.forEach(out::println);
        out.println("reports: " + report.dir().resolve("index.html") + ", " + report.dir().resolve("summary.json")
                + ", " + report.dir().resolve("plots.md"));
        if (gatlingReport != null) {
            out.println("         " + gatlingReport + " (HTTP, Gatling)");
        }
        out.println(lastLine());
    }

    private static double[] pick(List<Row> rows, boolean p50) {
        int[] index = {0, 1, 2, 3, 6, 8};
        double[] values = new double[index.length];
        for (int i = 0; i < index.length; i++) {
            Percentiles p = rows.get(index[i]).values();
            values[i] = p50 ? p.p50() : p.p99();
        }
        return values;
    }
}
