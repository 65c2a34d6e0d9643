package dev.sdqueue.loadtests.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.loadtests.Percentiles;
import dev.sdqueue.loadtests.report.Series;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The history bench's maths: lookup outcomes and percentiles, RSS ratios, the last line, the plots against H. */
class HistoryReportTest {
    private static final Variant BEFORE = new Variant("before", Path.of("/tmp/before"), "c7fb626");
    private static final Variant AFTER = new Variant("after", Path.of("/tmp/after"), "abc1234");

    @Test
    void lookupOutcomesAreClassifiedAndA404ForAKnownIdIsAnError() {
        LookupStats stats = new LookupStats("A");
        for (int i = 1; i <= 100; i++) {
            stats.sent();
            stats.answered(200, true, i); // 1..100 ms
        }
        stats.answered(200, false, 5);
        stats.answered(404, false, 6);
        stats.answered(503, false, 7);
        stats.failed();

        Map<String, Object> map = stats.toMap();
        assertThat(map).containsEntry("ok", 100L).containsEntry("stale", 1L).containsEntry("notFound", 1L)
                .containsEntry("otherStatus", 1L).containsEntry("transportErrors", 1L).containsEntry("errors", 3L)
                .containsEntry("answered", 103L).containsEntry("sent", 100L);
        assertThat(stats.errors()).isEqualTo(3);
        @SuppressWarnings("unchecked")
        Map<String, Long> byStatus = (Map<String, Long>) map.get("byHttpStatus");
        assertThat(byStatus).containsEntry("200", 101L).containsEntry("404", 1L).containsEntry("503", 1L);
        // nearest rank over 103 answers: 1..100 plus 5, 6, 7
        Percentiles p = stats.latency();
        assertThat(p.count()).isEqualTo(103);
        assertThat(p.max()).isEqualTo(100);
        assertThat(p.p50()).isEqualTo(49); // the 52nd smallest of 1,2,3,4,5,5,6,6,7,7,8,...
        assertThat(p.p99()).isEqualTo(99); // the 102nd smallest
    }

    @Test
    void replicasMergeIntoOnePool() {
        LookupStats a = new LookupStats("A");
        LookupStats b = new LookupStats("B");
        a.sent();
        a.answered(200, true, 2);
        b.sent();
        b.answered(200, true, 4);
        b.sent();
        b.answered(404, false, 8);
        LookupStats all = LookupStats.merge("all", List.of(a, b));
        assertThat(all.ok()).isEqualTo(2);
        assertThat(all.notFound()).isEqualTo(1);
        assertThat(all.errors()).isEqualTo(1);
        assertThat(all.latency().max()).isEqualTo(8);
        assertThat(all.latency().p50()).isEqualTo(4);
    }

    @Test
    void ratiosCarryTheFailureOfEitherSide() {
        HistoryReport.Figure at5m = new HistoryReport.Figure(600, null);
        HistoryReport.Figure at0 = new HistoryReport.Figure(200, null);
        assertThat(HistoryReport.ratio(at5m, at0).format("%.2f")).isEqualTo("3.00");
        assertThat(HistoryReport.ratio(new HistoryReport.Figure(Double.NaN, "oom"), at0).format("%.2f"))
                .isEqualTo("oom");
        assertThat(HistoryReport.ratio(at5m, new HistoryReport.Figure(Double.NaN, "timeout")).format("%.2f"))
                .isEqualTo("base_timeout");
        Startup died = startup("dispatcher-b", Startup.OOM, Double.NaN, Double.NaN);
        assertThat(HistoryReport.Figure.of(died.readySeconds, died).format("%.2f")).isEqualTo("oom");
        Startup ready = startup("dispatcher-b", Startup.READY, 4.5, 300);
        assertThat(HistoryReport.Figure.of(ready.servedSeconds, ready).format("%.2f")).isEqualTo("n/a");
        assertThat(HistoryReport.Figure.of(ready.readySeconds, ready).format("%.2f")).isEqualTo("4.50");
    }

    @Test
    void theLastLineHasEveryKeyFigureOfEachVariantAtTheLargestH() {
        HistoryReport report = report();
        String line = report.lastLine();

        assertThat(line).startsWith("history: sizes=0,1000000 largest=1000000 ");
        assertThat(line).contains("before.dispatcher_first_ready_s=oom", "before.history_served_s=oom",
                "before.dispatcher_ready_s=oom", "before.dispatcher_restart_ready_s=skipped",
                "before.worker_first_job_s=21.00", "before.dispatcher_rss_mb=oom", "before.dispatcher_rss_ratio=oom",
                "before.dispatcher_live_heap_mb=oom", "before.worker_rss_mb=1050", "before.worker_rss_ratio=4.20", "before.lookup_p99_ms=skipped",
                "before.lookup_errors=skipped", "before.e2e_p99_ms=skipped");
        assertThat(line).contains("after.dispatcher_first_ready_s=40.00", "after.history_served_s=41.00",
                "after.dispatcher_ready_s=5.00", "after.dispatcher_restart_ready_s=6.00",
                "after.worker_first_job_s=4.00", "after.dispatcher_rss_mb=300", "after.dispatcher_rss_ratio=1.50",
                "after.dispatcher_live_heap_mb=n/a", "after.worker_rss_mb=260", "after.worker_rss_ratio=1.04", "after.lookup_p99_ms=12.0",
                "after.lookup_errors=1", "after.e2e_p99_ms=300.0");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void plotsAreAgainstHWithAGapWhereAProcessFailed() {
        HistoryReport report = report();
        assertThat(HistoryReport.Axis.forSizes(List.of(0L, 1_000_000L)).divisor()).isEqualTo(1e6);
        assertThat(HistoryReport.Axis.forSizes(List.of(0L, 2_000L)).label()).contains("thousand");

        Map<String, java.util.function.ToDoubleFunction<VariantRun.Result>> figure = new LinkedHashMap<>();
        figure.put("B", r -> r.dispatcherB().readySeconds);
        List<Series> series = report.series(figure);
        assertThat(series).extracting(Series::name).containsExactly("before", "after");
        assertThat(series.get(0).x()).containsExactly(0, 1);
        assertThat(series.get(0).y()[0]).isEqualTo(3.0);
        assertThat(series.get(0).y()[1]).isNaN(); // oom: not plotted
        assertThat(series.get(1).y()).containsExactly(3.0, 5.0);

        String html = report.html(Map.of("sizes", List.of(0, 1_000_000)), Map.of("cores", 2), "method").render();
        assertThat(html).contains("<svg", "before", "after", "oom", "Terminating due to java.lang.OutOfMemoryError");
        assertThat(report.plots()).contains("xychart-beta", "\"0\"", "\"1,000,000\"",
                "(0 = not measured: see the table)");
        assertThat(report.table()).contains("1,000,000", "oom", "21.00");
    }

    @Test
    void placeholdersAreReplacedPerProcess() {
        Map<String, String> properties = new LinkedHashMap<>(HistoryCommand.DEFAULT_DISPATCHER_PROPERTIES);
        properties.put("x.name", "{name}");
        Map<String, String> expanded = VariantRun.expand(properties, "dispatcher-b", 41234, Path.of("/w/h-0/after"));
        assertThat(expanded).containsEntry("kafka-streams.state.dir", "/w/h-0/after/state/dispatcher-b")
                .containsEntry("sdq.dispatcher.advertised-address", "127.0.0.1:41234")
                .containsEntry("smallrye.config.mapping.validate-unknown", "false")
                .containsEntry("x.name", "dispatcher-b");
    }

    @Test
    void logTailsKeepTheLastHealthLineFirstAndCutStackTraces() {
        List<String> log = List.of(
                "INFO SRHCK01001: Reporting health down status: {\"jobs\":10}",
                "WARN Thread blocked",
                "io.vertx.core.VertxException: Thread blocked",
                "\tat a.A.a(A.java:1)", "\tat b.B.b(B.java:2)", "\tat c.C.c(C.java:3)", "\tat d.D.d(D.java:4)",
                "\tat e.E.e(E.java:5)",
                "",
                "INFO SRHCK01001: Reporting health down status: {\"jobs\":5000000,\"records\":11021170}",
                "Terminating due to java.lang.OutOfMemoryError: Java heap space");

        List<String> tail = AppRun.condense(log, 25);

        assertThat(tail).containsExactly(
                "INFO SRHCK01001: Reporting health down status: {\"jobs\":5000000,\"records\":11021170}",
                "WARN Thread blocked", "io.vertx.core.VertxException: Thread blocked", "\tat a.A.a(A.java:1)",
                "\tat b.B.b(B.java:2)", "\tat c.C.c(C.java:3)", "\t...",
                "Terminating due to java.lang.OutOfMemoryError: Java heap space");
        assertThat(AppRun.condense(log, 1)).containsExactly(tail.get(0),
                "Terminating due to java.lang.OutOfMemoryError: Java heap space");
    }

    // ------------------------------------------------------------------ synthetic runs

    private static Startup startup(String name, String status, double ready, double rss) {
        Startup s = new Startup(name);
        s.status = status;
        s.readySeconds = ready;
        s.rssSettledMb = rss;
        s.rssAtReadyMb = rss;
        if (!Startup.READY.equals(status)) {
            s.logTail = List.of("Terminating due to java.lang.OutOfMemoryError: Java heap space");
            s.exitCode = 3;
        }
        return s;
    }

    private static LookupLoad.Result lookups(double... latencies) {
        LookupStats a = new LookupStats("A");
        for (double latency : latencies) {
            a.sent();
            a.answered(200, true, latency);
        }
        a.sent();
        a.answered(404, false, 1);
        Map<String, LookupStats> byReplica = new LinkedHashMap<>();
        byReplica.put("A", a);
        return new LookupLoad.Result(1000, 30, byReplica, LookupStats.merge("all", List.of(a)), null);
    }

    private static VariantRun.Result result(Variant variant, long jobs, Startup a, Startup b, Startup restart,
                                            Startup worker, EndToEndRun.Result e2e, LookupLoad.Result lookups) {
        return new VariantRun.Result(variant, jobs, a, b, restart, worker, a.rssSettledMb, e2e, lookups, "1.0",
                "2.0", 60, List.of());
    }

    private static HistoryReport report() {
        EndToEndRun.Result e2e = new EndToEndRun.Result(50, 50, 0, 50, 0, 0, Percentiles.of(new double[] {100, 200,
                300}), Percentiles.of(new double[] {5}));
        Startup worker0 = startup("worker-1", Startup.READY, 3, 250);
        worker0.firstJobSeconds = 4;
        VariantRun.Result before0 = result(BEFORE, 0, startup("dispatcher-a", Startup.READY, 3, 200),
                startup("dispatcher-b", Startup.READY, 3, 200), startup("dispatcher-a (restart)", Startup.READY, 3,
                        200), worker0, e2e, lookups(1, 2, 3));
        Startup worker1 = startup("worker-1", Startup.READY, 20, 1050);
        worker1.firstJobSeconds = 21;
        worker0.rssAtReadyMb = 250;
        VariantRun.Result before1 = result(BEFORE, 1_000_000, startup("dispatcher-a", Startup.OOM, Double.NaN,
                        Double.NaN), startup("dispatcher-b", Startup.OOM, Double.NaN, Double.NaN),
                startup("dispatcher-a (restart)", Startup.SKIPPED, Double.NaN, Double.NaN), worker1,
                EndToEndRun.Result.SKIPPED, null);
        Startup afterWorker0 = startup("worker-1", Startup.READY, 3, 250);
        afterWorker0.firstJobSeconds = 3.5;
        VariantRun.Result after0 = result(AFTER, 0, startup("dispatcher-a", Startup.READY, 3, 200),
                startup("dispatcher-b", Startup.READY, 3, 200), startup("dispatcher-a (restart)", Startup.READY, 3,
                        200), afterWorker0, e2e, lookups(1, 2, 3));
        Startup a1 = startup("dispatcher-a", Startup.READY, 40, 500);
        a1.servedSeconds = 41;
        Startup afterWorker1 = startup("worker-1", Startup.READY, 3, 260);
        afterWorker1.firstJobSeconds = 4;
        VariantRun.Result after1 = result(AFTER, 1_000_000, a1, startup("dispatcher-b", Startup.READY, 5, 300),
                startup("dispatcher-a (restart)", Startup.READY, 6, 300), afterWorker1, e2e,
                lookups(10, 11, 12));
        HistoryReport.SizeRun h0 = new HistoryReport.SizeRun(0, null, List.of(before0, after0), 60, "1", "2");
        HistoryReport.SizeRun h1 = new HistoryReport.SizeRun(1_000_000, null, List.of(before1, after1), 600, "1",
                "2");
        return new HistoryReport(List.of(h0, h1), List.of(BEFORE, AFTER));
    }
}
