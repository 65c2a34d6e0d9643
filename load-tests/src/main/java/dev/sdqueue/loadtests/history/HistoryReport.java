package dev.sdqueue.loadtests.history;

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
import java.util.function.ToDoubleFunction;

/**
 * The figures of a history run against H (jobs of history), per variant: {@code summary.json} (everything),
 * {@code index.html} (tables and inline SVG plots against H), {@code plots.md} (mermaid) and the last stdout line
 * {@code history: ...} with the key figures of each variant at the largest H.
 */
final class HistoryReport {
    /** One H: its preload and each variant's run on it. */
    record SizeRun(long jobs, HistoryPreload.Result preload, List<VariantRun.Result> variants, double seconds,
                   String loadBefore, String loadAfter) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("jobs", jobs);
            map.put("preload", preload == null ? null : preload.toMap());
            map.put("seconds", Startup.round(seconds));
            map.put("loadAverageBefore", loadBefore);
            map.put("loadAverageAfter", loadAfter);
            map.put("variants", variants.stream().map(VariantRun.Result::toMap).toList());
            return map;
        }
    }

    private final List<SizeRun> sizes;
    private final List<Variant> variants;

    HistoryReport(List<SizeRun> sizes, List<Variant> variants) {
        this.sizes = List.copyOf(sizes);
        this.variants = List.copyOf(variants);
    }

    List<SizeRun> sizes() {
        return sizes;
    }

    /** {@code variant}'s result at {@code size}, or null. */
    static VariantRun.Result of(SizeRun size, String variant) {
        return size.variants().stream().filter(r -> r.variant().name().equals(variant)).findFirst().orElse(null);
    }

    // ------------------------------------------------------------------ the figures of the last line

    /** A figure with the status of what failed instead of a number (e.g. {@code oom}). */
    record Figure(double value, String failure) {
        static Figure of(double value, Startup startup) {
            return Double.isNaN(value) ? new Figure(value, startup.ready() ? "n/a" : startup.status)
                    : new Figure(value, null);
        }

        static Figure number(double value) {
            return new Figure(value, Double.isNaN(value) ? "n/a" : null);
        }

        String format(String pattern) {
            return failure != null ? failure : String.format(Locale.ROOT, pattern, value);
        }
    }

    /** {@code numerator / denominator} of two RSS figures; the failure of either when one is missing. */
    static Figure ratio(Figure numerator, Figure denominator) {
        if (numerator.failure() != null) {
            return numerator;
        }
        if (denominator.failure() != null || denominator.value() <= 0) {
            return new Figure(Double.NaN, denominator.failure() != null ? "base_" + denominator.failure() : "n/a");
        }
        return new Figure(numerator.value() / denominator.value(), null);
    }

    /** The RSS of a new dispatcher replica (B) a few seconds after it was ready. */
    static Figure dispatcherRss(VariantRun.Result r) {
        return Figure.of(r.dispatcherB().rssSettledMb, r.dispatcherB());
    }

    /** The RSS of the new worker when its first job started. */
    static Figure workerRss(VariantRun.Result r) {
        return Figure.of(r.worker().rssAtReadyMb, r.worker());
    }

    static Figure lookupP99(VariantRun.Result r) {
        return r.lookups() == null ? new Figure(Double.NaN, "skipped")
                : Figure.number(r.lookups().all().latency().p99());
    }

    /**
     * {@code history: sizes=... largest=H} then, per variant at the largest H, {@code <variant>.<key>=<value>}:
     * dispatcher A's first start to ready and to history served, the new replica B's ready time, A's restart, the new
     * worker's first job, RSS of B and of the worker with their ratios to the smallest H, lookup p99 and errors, end
     * to end p99. A figure that could not be measured shows why ({@code oom}, {@code timeout}, {@code died},
     * {@code skipped}).
     */
    String lastLine() {
        StringBuilder line = new StringBuilder("history: sizes=");
        line.append(String.join(",", sizes.stream().map(s -> Long.toString(s.jobs())).toList()));
        if (sizes.isEmpty()) {
            return line.toString();
        }
        SizeRun largest = sizes.get(sizes.size() - 1);
        SizeRun smallest = sizes.get(0);
        line.append(" largest=").append(largest.jobs());
        for (Variant variant : variants) {
            VariantRun.Result r = of(largest, variant.name());
            VariantRun.Result base = of(smallest, variant.name());
            if (r == null) {
                continue;
            }
            String p = " " + variant.name() + ".";
            line.append(p).append("dispatcher_first_ready_s=")
                    .append(Figure.of(r.dispatcherA().readySeconds, r.dispatcherA()).format("%.2f"));
            line.append(p).append("history_served_s=")
                    .append(Figure.of(r.dispatcherA().servedSeconds, r.dispatcherA()).format("%.2f"));
            line.append(p).append("dispatcher_ready_s=")
                    .append(Figure.of(r.dispatcherB().readySeconds, r.dispatcherB()).format("%.2f"));
            line.append(p).append("dispatcher_restart_ready_s=")
                    .append(Figure.of(r.restartA().readySeconds, r.restartA()).format("%.2f"));
            line.append(p).append("worker_first_job_s=")
                    .append(Figure.of(r.worker().firstJobSeconds, r.worker()).format("%.2f"));
            line.append(p).append("dispatcher_rss_mb=").append(dispatcherRss(r).format("%.0f"));
            line.append(p).append("dispatcher_rss_ratio=").append(base == null ? "n/a"
                    : ratio(dispatcherRss(r), dispatcherRss(base)).format("%.2f"));
            line.append(p).append("dispatcher_live_heap_mb=")
                    .append(Figure.of(r.dispatcherB().liveHeapMb, r.dispatcherB()).format("%.0f"));
            line.append(p).append("worker_rss_mb=").append(workerRss(r).format("%.0f"));
            line.append(p).append("worker_rss_ratio=").append(base == null ? "n/a"
                    : ratio(workerRss(r), workerRss(base)).format("%.2f"));
            line.append(p).append("worker_live_heap_mb=")
                    .append(Figure.of(r.worker().liveHeapMb, r.worker()).format("%.0f"));
            line.append(p).append("lookup_p99_ms=").append(lookupP99(r).format("%.1f"));
            line.append(p).append("lookup_errors=").append(r.lookups() == null ? "skipped"
                    : Long.toString(r.lookups().all().errors()));
            line.append(p).append("e2e_p99_ms=").append(r.e2e().completed() == 0 ? "skipped"
                    : String.format(Locale.ROOT, "%.1f", r.e2e().latencyMs().p99()));
        }
        return line.toString();
    }

    // ------------------------------------------------------------------ tables

    private static final List<String> HEADER = List.of("H (jobs)", "variant", "A: ready s", "A: served s",
            "B: ready s", "B: served s", "A restart: ready s", "worker: first job s", "A RSS MiB", "B RSS MiB",
            "worker RSS MiB", "A live heap MiB", "B live heap MiB", "worker live heap MiB", "A CPU s to ready", "broker CPU s (A to ready)", "lookups", "lookup p50 ms", "lookup p99 ms", "lookup max ms",
            "lookup errors", "e2e p50 ms", "e2e p99 ms", "run s");

    List<List<String>> rows() {
        List<List<String>> rows = new ArrayList<>();
        for (SizeRun size : sizes) {
            for (VariantRun.Result r : size.variants()) {
                Percentiles lookups = r.lookups() == null ? Percentiles.EMPTY : r.lookups().all().latency();
                rows.add(List.of(String.format(Locale.ROOT, "%,d", size.jobs()), r.variant().name(),
                        r.dispatcherA().figure(r.dispatcherA().readySeconds, "%.2f"),
                        r.dispatcherA().figure(r.dispatcherA().servedSeconds, "%.2f"),
                        r.dispatcherB().figure(r.dispatcherB().readySeconds, "%.2f"),
                        r.dispatcherB().figure(r.dispatcherB().servedSeconds, "%.2f"),
                        r.restartA().figure(r.restartA().readySeconds, "%.2f"),
                        r.worker().figure(r.worker().firstJobSeconds, "%.2f"),
                        r.dispatcherA().figure(r.dispatcherA().rssSettledMb, "%.0f"),
                        r.dispatcherB().figure(r.dispatcherB().rssSettledMb, "%.0f"),
                        r.worker().figure(r.worker().rssAtReadyMb, "%.0f"),
                        r.dispatcherA().figure(r.dispatcherA().liveHeapMb, "%.0f"),
                        r.dispatcherB().figure(r.dispatcherB().liveHeapMb, "%.0f"),
                        r.worker().figure(r.worker().liveHeapMb, "%.0f"),
                        r.dispatcherA().figure(r.dispatcherA().cpuSecondsToReady, "%.1f"),
                        r.dispatcherA().figure(r.dispatcherA().brokerCpuSecondsToReady, "%.1f"),
                        r.lookups() == null ? "skipped" : Long.toString(r.lookups().all().answeredCount()),
                        Percentiles.ms(lookups.p50()), Percentiles.ms(lookups.p99()), Percentiles.ms(lookups.max()),
                        r.lookups() == null ? "-" : Long.toString(r.lookups().all().errors()),
                        Percentiles.ms(r.e2e().latencyMs().p50()), Percentiles.ms(r.e2e().latencyMs().p99()),
                        String.format(Locale.ROOT, "%.0f", r.seconds())));
            }
        }
        return rows;
    }

    String table() {
        StringBuilder text = new StringBuilder();
        List<List<String>> all = new ArrayList<>();
        all.add(HEADER);
        all.addAll(rows());
        int[] widths = new int[HEADER.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                text.append(i == 0 ? "" : "  ").append(String.format("%" + widths[i] + "s", row.get(i)));
            }
            text.append('\n');
        }
        return text.toString();
    }

    // ------------------------------------------------------------------ plots against H

    /** H in the unit the plots use: millions of jobs, or thousands when the largest H is under a million. */
    record Axis(double divisor, String label) {
        static Axis forSizes(List<Long> jobs) {
            long max = jobs.stream().mapToLong(Long::longValue).max().orElse(0);
            return max >= 1_000_000 ? new Axis(1e6, "history H (million jobs)")
                    : new Axis(1e3, "history H (thousand jobs)");
        }
    }

    /** One line per variant (and per named figure) of {@code value} against H. */
    List<Series> series(Map<String, ToDoubleFunction<VariantRun.Result>> figures) {
        Axis axis = Axis.forSizes(sizes.stream().map(SizeRun::jobs).toList());
        List<Series> series = new ArrayList<>();
        for (Variant variant : variants) {
            for (Map.Entry<String, ToDoubleFunction<VariantRun.Result>> figure : figures.entrySet()) {
                double[] x = new double[sizes.size()];
                double[] y = new double[sizes.size()];
                for (int i = 0; i < sizes.size(); i++) {
                    VariantRun.Result r = of(sizes.get(i), variant.name());
                    x[i] = sizes.get(i).jobs() / axis.divisor();
                    y[i] = r == null ? Double.NaN : figure.getValue().applyAsDouble(r);
                }
                String name = figures.size() == 1 ? variant.name() : variant.name() + " " + figure.getKey();
                series.add(sizes.size() == 1 ? Series.points(name, x, y) : Series.line(name, x, y));
            }
        }
        return series;
    }

    /** Named figures of a chart, in order. */
    private static final class Figures extends LinkedHashMap<String, ToDoubleFunction<VariantRun.Result>> {
        Figures with(String name, ToDoubleFunction<VariantRun.Result> figure) {
            put(name, figure);
            return this;
        }
    }

    /** The charts: title, y label and the figures plotted. */
    private record Chart(String title, String yLabel, Map<String, ToDoubleFunction<VariantRun.Result>> figures) {
    }

    /** At most two figures per chart: with two variants that is four lines, one legend row. */
    private static List<Chart> charts() {
        return List.of(
                new Chart("New dispatcher replica B: launch to ready, and to the late history served (s)", "seconds",
                        new Figures().with("B ready", r -> r.dispatcherB().readySeconds)
                                .with("B served", r -> r.dispatcherB().servedSeconds)),
                new Chart("Dispatcher A: first start and restart with its state dir, launch to ready (s)", "seconds",
                        new Figures().with("A first start", r -> r.dispatcherA().readySeconds)
                                .with("A restart", r -> r.restartA().readySeconds)),
                new Chart("New worker: launch to its first job's started event (s)", "seconds", new Figures()
                        .with("worker", r -> r.worker().firstJobSeconds)),
                new Chart("Dispatcher RSS a few seconds after ready (MiB)", "MiB", new Figures()
                        .with("A", r -> r.dispatcherA().rssSettledMb)
                        .with("B", r -> r.dispatcherB().rssSettledMb)),
                new Chart("New worker RSS when its first job started (MiB)", "MiB", new Figures()
                        .with("worker", r -> r.worker().rssAtReadyMb)),
                new Chart("Live heap after a forced full GC (MiB): dispatcher B and the worker", "MiB", new Figures()
                        .with("B", r -> r.dispatcherB().liveHeapMb)
                        .with("worker", r -> r.worker().liveHeapMb)),
                new Chart("Status lookups over A and B: latency p50 and p99 (ms)", "ms", new Figures()
                        .with("p50", r -> r.lookups() == null ? Double.NaN : r.lookups().all().latency().p50())
                        .with("p99", r -> r.lookups() == null ? Double.NaN : r.lookups().all().latency().p99())),
                new Chart("New jobs: submit to completed, p50 and p99 (ms)", "ms", new Figures()
                        .with("p50", r -> r.e2e().latencyMs().p50())
                        .with("p99", r -> r.e2e().latencyMs().p99())));
    }

    HtmlReport html(Map<String, Object> settings, Map<String, Object> machine, String method) {
        return html(settings, machine, method, null);
    }

    /** {@code base}: the report folder, to link Gatling's reports relative to it (null: absolute links). */
    HtmlReport html(Map<String, Object> settings, Map<String, Object> machine, String method, java.nio.file.Path base) {
        Axis axis = Axis.forSizes(sizes.stream().map(SizeRun::jobs).toList());
        HtmlReport page = new HtmlReport("sdqueue bench history — startup and lookups against the job history");
        page.paragraph(method);
        List<List<String>> variantRows = new ArrayList<>();
        variants.forEach(v -> variantRows.add(List.of(v.name(), v.home().toString(), v.commit())));
        page.heading("Variants").table(List.of("variant", "home", "commit"), variantRows);
        page.heading("Machine and settings").pre(render(machine) + "\n" + render(settings));
        List<List<String>> preloadRows = new ArrayList<>();
        for (SizeRun size : sizes) {
            HistoryPreload.Result p = size.preload();
            preloadRows.add(List.of(String.format(Locale.ROOT, "%,d", size.jobs()),
                    p == null ? "-" : String.format(Locale.ROOT, "%,d", p.records()),
                    p == null ? "-" : String.format(Locale.ROOT, "%.2f", p.bytes() / 1e9),
                    p == null ? "-" : String.format(Locale.ROOT, "%.1f", p.seconds()),
                    p == null ? "-" : String.format(Locale.ROOT, "%,.0f", p.recordsPerSecond()),
                    p == null ? "-" : String.format(Locale.ROOT, "%.1f", p.megabytesPerSecond()),
                    String.format(Locale.ROOT, "%.0f", size.seconds()), size.loadBefore() + " / " + size.loadAfter()));
        }
        page.heading("Preload and run time per H").table(List.of("H (jobs)", "records", "GB", "preload s",
                "records/s", "MB/s", "whole H s", "load average before / after"), preloadRows);
        page.heading("Figures").table(HEADER, rows());
        page.heading("Against H");
        for (Chart chart : charts()) {
            page.chart(SvgChart.xy(chart.title(), axis.label(), chart.yLabel(), series(chart.figures())));
        }
        List<String> failures = new ArrayList<>();
        for (SizeRun size : sizes) {
            for (VariantRun.Result r : size.variants()) {
                for (Startup s : List.of(r.dispatcherA(), r.dispatcherB(), r.restartA(), r.worker())) {
                    if (!s.ready() && !Startup.SKIPPED.equals(s.status)) {
                        failures.add("H=" + size.jobs() + " " + r.variant().name() + " " + s.name + ": " + s.status
                                + (s.exitCode == null ? "" : " (exit " + s.exitCode + ")") + "\n    "
                                + String.join("\n    ", s.logTail));
                    }
                }
                r.notes().forEach(note -> failures.add("H=" + size.jobs() + " " + r.variant().name() + ": " + note));
            }
        }
        for (SizeRun size : sizes) {
            for (VariantRun.Result r : size.variants()) {
                if (r.lookups() != null && r.lookups().gatlingReport() != null) {
                    java.nio.file.Path report = r.lookups().gatlingReport();
                    page.link("Gatling's report of the lookups, H=" + size.jobs() + ", " + r.variant().name(),
                            (base == null ? report : base.relativize(report)).toString());
                }
            }
        }
        if (!failures.isEmpty()) {
            page.heading("Processes that did not get ready, and notes").pre(String.join("\n", failures));
        }
        return page.pre(lastLine());
    }

    String plots() {
        List<String> categories = sizes.stream().map(s -> String.format(Locale.ROOT, "%,d", s.jobs())).toList();
        StringBuilder markdown = new StringBuilder();
        for (Chart chart : charts()) {
            List<MermaidChart.Values> values = new ArrayList<>();
            List<String> names = new ArrayList<>();
            boolean missing = false;
            for (Series s : series(chart.figures())) {
                values.add(new MermaidChart.Values(s.y(), false));
                names.add(s.name());
                missing |= java.util.Arrays.stream(s.y()).anyMatch(Double::isNaN);
            }
            // mermaid has no gaps: a figure not measured (timeout, oom) is drawn as 0, so say so
            markdown.append(MermaidChart.xy(chart.title() + " — lines: " + String.join(", ", names)
                    + (missing ? " (0 = not measured: see the table)" : ""), "H (jobs)", categories, chart.yLabel(),
                    values)).append('\n');
        }
        return markdown.toString();
    }

    void write(BenchReport report, Map<String, Object> summary, Map<String, Object> settings,
               Map<String, Object> machine, String method) throws IOException {
        report.writeJson(summary);
        report.writeHtml(html(settings, machine, method, report.dir()));
        report.writeMarkdown(plots());
    }

    void print(PrintStream out) {
        out.println();
        out.print(table());
    }

    private static String render(Map<String, Object> map) {
        StringBuilder text = new StringBuilder();
        map.forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
        return text.toString();
    }
}
