package dev.sdqueue.loadtests.load;

import dev.sdqueue.loadtests.Percentiles;
import dev.sdqueue.loadtests.report.HtmlReport;
import dev.sdqueue.loadtests.report.MermaidChart;
import dev.sdqueue.loadtests.report.Series;
import dev.sdqueue.loadtests.report.SvgChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The text, HTML and mermaid views of a {@link LoadResult}: counts, throughput, percentiles, and plots of
 * throughput over time, latency over time and the end-to-end latency distribution.
 */
public final class LoadReportPage {
    private static final int MAX_POINTS = 4000;

    private final LoadResult result;
    private final double bin;

    public LoadReportPage(LoadResult result) {
        this.result = result;
        double seconds = Double.isNaN(result.injectionSeconds()) ? 1 : result.injectionSeconds();
        this.bin = Math.max(1, Math.ceil(seconds / 120)); // at most ~120 points per line
    }

    /** The summary lines printed to the console. */
    public List<String> textLines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "submitted %d, accepted %d, http errors %d %s, completed %d, failed %d %s,"
                + " lost %d, duplicate terminals %d", result.submitted(), result.accepted(), result.httpErrorCount(),
                result.httpErrors(), result.completed(), result.failed(), result.failedByReason(), result.lost(),
                result.duplicateTerminals()));
        lines.add(String.format(Locale.ROOT, "throughput: offered %.1f/s, accepted %.1f/s, completed %.1f/s over %.1f s",
                result.offeredPerSecond(), result.acceptedPerSecond(), result.completedPerSecond(),
                result.injectionSeconds()));
        lines.add("submit latency ms       " + result.submitLatency().line());
        lines.add("end-to-end latency ms   " + result.endToEnd().line());
        lines.add("pipeline (totalMs) ms   " + result.pipeline().line());
        lines.add("upload (uploadMs) ms    " + result.ofCompleted(JobSample::uploadMs).line());
        lines.add("added (e2e - pipeline)  " + result.added().line());
        return lines;
    }

    public void addTo(HtmlReport page) {
        page.heading("Summary").pre(String.join("\n", textLines()));
        page.table(List.of("latency (ms)", "n", "p50", "p95", "p99", "max"), List.of(
                row("submit (HTTP 202)", result.submitLatency()),
                row("end to end (send → terminal event received)", result.endToEnd()),
                row("pipeline (completed.timings.totalMs)", result.pipeline()),
                row("upload (completed.timings.uploadMs)", result.ofCompleted(JobSample::uploadMs)),
                row("added (end to end − pipeline)", result.added())));
        List<List<String>> phases = new ArrayList<>();
        for (LoadPhase phase : result.plan().phases()) {
            List<Submission> own = result.phase(phase.name());
            Percentiles latency = Percentiles.of(own.stream().filter(Submission::accepted)
                    .mapToDouble(Submission::latencyMs).toArray());
            long accepted = own.stream().filter(Submission::accepted).count();
            phases.add(List.of(phase.describe(), Integer.toString(own.size()), Long.toString(accepted),
                    Long.toString(own.size() - accepted), Percentiles.ms(latency.p50()), Percentiles.ms(latency.p99())));
        }
        page.heading("Phases").table(List.of("phase", "submitted", "accepted", "errors", "submit p50", "submit p99"),
                phases);
        page.heading("Throughput over time").chart(SvgChart.xy("Throughput (per second, bins of "
                + (long) bin + " s)", "seconds since the first submission", "per second", throughputSeries()));
        page.heading("Latency over time").chart(SvgChart.xy("Latency by send time", "seconds since the first "
                + "submission", "ms", List.of(points("end to end", JobSample::endToEndMs),
                points("pipeline", JobSample::pipelineMs), submitPoints())));
        page.heading("Latency distribution").chart(histogram("End-to-end latency histogram", JobSample::endToEndMs))
                .chart(percentileBars());
    }

    /** Mermaid charts of throughput and end-to-end p50 per time bin. */
    public String markdown(String title) {
        List<Series> throughput = throughputSeries();
        List<String> categories = new ArrayList<>();
        for (double x : throughput.get(0).x()) {
            categories.add(SvgChartFormat.of(x));
        }
        List<MermaidChart.Values> lines = throughput.stream().map(s -> new MermaidChart.Values(s.y(), false)).toList();
        StringBuilder text = new StringBuilder();
        text.append(MermaidChart.xy(title + ": submitted (1st line), accepted (2nd), completed (3rd) per second",
                "seconds", categories, "per second", lines));
        text.append('\n');
        double[] e2eP50 = perBinMedian(JobSample::endToEndMs, categories.size());
        text.append(MermaidChart.xy(title + ": end-to-end latency, median per bin", "seconds", categories, "ms",
                List.of(new MermaidChart.Values(e2eP50, true))));
        return text.toString();
    }

    private List<String> row(String name, Percentiles p) {
        return List.of(name, Integer.toString(p.count()), Percentiles.ms(p.p50()), Percentiles.ms(p.p95()),
                Percentiles.ms(p.p99()), Percentiles.ms(p.max()));
    }

    private int bins() {
        double seconds = 0;
        for (JobSample job : result.jobs()) {
            if (job.ended()) {
                seconds = Math.max(seconds, seconds(job.events().terminalReceivedMicros()));
            }
        }
        for (Submission s : result.submissions()) {
            seconds = Math.max(seconds, seconds(s.sendMicros()));
        }
        return (int) Math.floor(seconds / bin) + 1;
    }

    private double seconds(long micros) {
        return (micros - result.firstSendMicros()) / 1e6;
    }

    private List<Series> throughputSeries() {
        int bins = bins();
        double[] x = new double[bins];
        double[] offered = new double[bins];
        double[] accepted = new double[bins];
        double[] completed = new double[bins];
        for (int i = 0; i < bins; i++) {
            x[i] = i * bin;
        }
        for (Submission s : result.submissions()) {
            int i = (int) (seconds(s.sendMicros()) / bin);
            offered[i] += 1 / bin;
            if (s.accepted()) {
                accepted[Math.min(bins - 1, (int) (seconds(s.answerMicros()) / bin))] += 1 / bin;
            }
        }
        for (JobSample job : result.jobs()) {
            if (job.completed()) {
                completed[Math.min(bins - 1, (int) (seconds(job.events().terminalReceivedMicros()) / bin))] += 1 / bin;
            }
        }
        return List.of(Series.line("submitted", x, offered), Series.line("accepted (202)", x, accepted),
                Series.line("completed", x, completed));
    }

    private double[] perBinMedian(ToDoubleFunction<JobSample> figure, int bins) {
        List<List<Double>> perBin = new ArrayList<>();
        for (int i = 0; i < bins; i++) {
            perBin.add(new ArrayList<>());
        }
        for (JobSample job : result.jobs()) {
            double value = job.completed() ? figure.applyAsDouble(job) : Double.NaN;
            int i = (int) (seconds(job.submission().sendMicros()) / bin);
            if (!Double.isNaN(value) && i < bins) {
                perBin.get(i).add(value);
            }
        }
        return perBin.stream().mapToDouble(values -> Percentiles.of(values).p50()).toArray();
    }

    private Series points(String name, ToDoubleFunction<JobSample> figure) {
        List<JobSample> completed = result.jobs().stream().filter(JobSample::completed).toList();
        int step = Math.max(1, completed.size() / MAX_POINTS);
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < completed.size(); i += step) {
            JobSample job = completed.get(i);
            points.add(new double[] {seconds(job.submission().sendMicros()), figure.applyAsDouble(job)});
        }
        return Series.points(name, points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray());
    }

    private Series submitPoints() {
        List<Submission> accepted = result.submissions().stream().filter(Submission::accepted).toList();
        int step = Math.max(1, accepted.size() / MAX_POINTS);
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < accepted.size(); i += step) {
            points.add(new double[] {seconds(accepted.get(i).sendMicros()), accepted.get(i).latencyMs()});
        }
        return Series.points("submit (202)", points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray());
    }

    private String histogram(String title, ToDoubleFunction<JobSample> figure) {
        double[] values = result.jobs().stream().filter(JobSample::completed).mapToDouble(figure)
                .filter(v -> !Double.isNaN(v)).toArray();
        Percentiles p = Percentiles.of(values);
        if (p.count() == 0) {
            return SvgChart.bars(title + " (no completed job)", "ms", "jobs", List.of(), new double[0]);
        }
        int buckets = 30;
        double width = Math.max(p.p99() * 1.1, 1e-3) / buckets;
        double[] counts = new double[buckets + 1];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            labels.add(SvgChartFormat.of(i * width));
        }
        labels.add("≥" + SvgChartFormat.of(buckets * width));
        for (double value : values) {
            counts[Math.min(buckets, (int) (value / width))]++;
        }
        return SvgChart.bars(title, "ms (bucket start)", "jobs", labels, counts);
    }

    private String percentileBars() {
        Percentiles submit = result.submitLatency();
        Percentiles e2e = result.endToEnd();
        Percentiles added = result.added();
        return SvgChart.bars("Percentiles (ms)", "figure", "ms", List.of("submit p50", "submit p99", "e2e p50",
                "e2e p95", "e2e p99", "e2e max", "added p50", "added p99"), new double[] {submit.p50(), submit.p99(),
                e2e.p50(), e2e.p95(), e2e.p99(), e2e.max(), added.p50(), added.p99()});
    }

    /** Short labels for axis categories. */
    static final class SvgChartFormat {
        static String of(double value) {
            return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
        }
    }
}
