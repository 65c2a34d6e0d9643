package dev.sdqueue.loadtests.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdqueue.loadtests.BenchCommand;
import dev.sdqueue.schema.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * CI smoke of {@code bench history} on real processes (Kafka, S3Proxy, this checkout's packaged dispatcher and
 * worker): H = 0 and 2,000, seconds-long phases. The run must end, print its last line with a figure for every key,
 * write a summary with every figure of both sizes (lookups found the known ids: no 404), its reports, and leave no
 * process behind. Structure only, never timing.
 */
class HistoryBenchIT {
    private static final Path ROOT = Path.of(System.getProperty("sdq.home", "..")).toAbsolutePath().normalize();
    private static final Path OUT = ROOT.resolve("load-tests/target/history-bench-it");
    private static final List<String> KEYS = List.of("dispatcher_first_ready_s", "history_served_s",
            "dispatcher_ready_s", "dispatcher_restart_ready_s", "worker_first_job_s", "dispatcher_rss_mb",
            "dispatcher_rss_ratio", "dispatcher_live_heap_mb", "worker_rss_mb", "worker_rss_ratio",
            "worker_live_heap_mb", "lookup_p99_ms", "lookup_errors",
            "e2e_p99_ms");

    @Test
    void measuresEveryFigureAtBothSizesAndFindsTheKnownIds() throws Exception {
        Files.createDirectories(OUT);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new BenchCommand()).execute("history", "--smoke", "--out", OUT.toString(),
                    "--home", ROOT.toString());
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(exit).as(output).isZero();

        List<String> lines = output.lines().toList();
        String last = lines.get(lines.size() - 1);
        assertThat(last).startsWith("history: sizes=0,2000 largest=2000 current.");
        for (String key : KEYS) {
            assertThat(last).containsPattern("current\\." + key + "=[0-9.]+( |$)");
        }
        assertThat(last).contains("current.lookup_errors=0");

        Matcher m = Pattern.compile("reports: (\\S+index\\.html)").matcher(output);
        assertThat(m.find()).as("report line in:%n%s", output).isTrue();
        Path html = Path.of(m.group(1).replaceAll(",$", ""));
        assertThat(html).content().contains("<svg", "Figures");
        assertThat(html.resolveSibling("plots.md")).content().contains("xychart-beta");
        JsonNode summary = EventJson.mapper().readTree(html.resolveSibling("summary.json").toFile());
        assertThat(summary.path("finished").asBoolean()).isTrue();
        assertThat(summary.path("machineAtStart").path("loadAverage").asText()).isNotBlank();
        JsonNode sizes = summary.path("sizes");
        assertThat(sizes).hasSize(2);
        for (JsonNode size : sizes) {
            long jobs = size.path("jobs").asLong();
            assertThat(size.path("preload").path("records").asLong()).isEqualTo(jobs * 5);
            assertThat(size.path("preload").path("committedOffsets")).isNotEmpty();
            JsonNode run = size.path("variants").get(0);
            assertThat(run.path("variant").asText()).isEqualTo("current");
            for (String process : List.of("dispatcherA", "dispatcherB", "dispatcherARestart")) {
                JsonNode d = run.path(process);
                assertThat(d.path("status").asText()).as("%s at H=%d", process, jobs).isEqualTo("ready");
                assertThat(d.path("readySeconds").asDouble()).isPositive();
                assertThat(d.path("servedSeconds").asDouble()).isGreaterThanOrEqualTo(d.path("readySeconds")
                        .asDouble());
                assertThat(d.path("rssAtReadyMb").asDouble()).isPositive();
                assertThat(d.path("cpuSecondsToReady").asDouble()).isPositive();
            }
            assertThat(run.path("dispatcherB").path("rssSettledMb").asDouble()).isPositive();
            assertThat(run.path("dispatcherB").path("liveHeapMb").asDouble()).isPositive();
            assertThat(run.path("dispatcherA").path("liveHeapMb").asDouble()).isPositive();
            assertThat(run.path("dispatcherARssWhenBSettledMb").asDouble()).isPositive();
            JsonNode worker = run.path("worker");
            assertThat(worker.path("status").asText()).isEqualTo("ready");
            assertThat(worker.path("firstJobSeconds").asDouble()).isPositive();
            assertThat(worker.path("firstJobCompletedSeconds").asDouble()).isGreaterThanOrEqualTo(
                    worker.path("firstJobSeconds").asDouble());
            assertThat(worker.path("rssAtReadyMb").asDouble()).isPositive();
            assertThat(worker.path("liveHeapMb").asDouble()).isPositive();
            JsonNode e2e = run.path("endToEnd");
            assertThat(e2e.path("completed").asInt()).isEqualTo(5);
            assertThat(e2e.path("submitToCompletedMs").path("p99").asDouble()).isPositive();
            JsonNode lookups = run.path("lookups").path("all");
            assertThat(lookups.path("ok").asLong()).isPositive();
            assertThat(lookups.path("answered").asLong()).isEqualTo(lookups.path("ok").asLong());
            assertThat(lookups.path("notFound").asLong()).isZero();
            assertThat(lookups.path("errors").asLong()).isZero();
            assertThat(lookups.path("latencyMs").path("p99").asDouble()).isPositive();
            assertThat(run.path("lookups").path("byReplica").has("A")).isTrue();
            assertThat(run.path("lookups").path("byReplica").has("B")).isTrue();
        }
        assertThat(ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("")).filter(c -> c.contains(OUT.toString())).toList())
                .as("processes left under %s", OUT).isEmpty();
    }
}
