package dev.sdqueue.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * CI smoke of every bench of this module: seconds-long runs on private systems of real processes (Kafka, S3Proxy,
 * the packaged dispatcher and worker, Kafka's ProducerPerformance). Asserts structure, never timing: each run ends,
 * prints its ratio line last with no error, writes its reports, and leaves no process behind.
 */
class BenchIT {
    private static Path root;
    private static Path out;

    @BeforeAll
    static void locate() throws IOException {
        root = Path.of(System.getProperty("sdq.home", "..")).toAbsolutePath().normalize();
        out = root.resolve("load-tests/target/bench-it");
        Files.createDirectories(out);
    }

    private record Run(int exit, List<String> lines, String output) {
        String last() {
            return lines.get(lines.size() - 1);
        }
    }

    private static Run bench(String... args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(captured, true, StandardCharsets.UTF_8);
        PrintStream original = System.out;
        System.setOut(console); // Gatling prints its console summary to System.out
        int exit;
        try {
            String[] all = Stream.concat(Stream.of(args), Stream.of("--out", out.toString(), "--home",
                    root.toString())).toArray(String[]::new);
            exit = new CommandLine(new BenchCommand()).execute(all);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        return new Run(exit, output.lines().toList(), output);
    }

    private static long number(String line, String key) {
        Matcher m = Pattern.compile("\\b" + key + "=([0-9.]+)").matcher(line);
        assertThat(m.find()).as("%s in %s", key, line).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    private static void assertNoProcessLeft() {
        List<String> left = ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(command -> command.contains(out.toString())).toList();
        assertThat(left).as("processes started under %s still running", out).isEmpty();
    }

    private static void assertReports(String output) {
        Matcher m = Pattern.compile("reports: (\\S+index\\.html)").matcher(output);
        assertThat(m.find()).as("report line in:%n%s", output).isTrue();
        Path html = Path.of(m.group(1).replaceAll(",$", ""));
        assertThat(html).isRegularFile();
        assertThat(html.resolveSibling("summary.json")).isRegularFile();
        assertThat(html.resolveSibling("plots.md")).content().contains("xychart-beta");
    }

    @Test
    void ingestComparesTheDispatcherWithKafkasProducerPerformance() {
        Run run = bench("ingest", "--smoke");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.last()).matches("ingest: dispatcher=\\d+/s raw_producer=\\d+/s ratio=[0-9.]+ "
                + "dispatcher_batch=\\d+/s batch_ratio=[0-9.]+ batch_size=10 record_bytes=\\d+ errors=0");
        assertThat(number(run.last(), "dispatcher")).isPositive();
        assertThat(number(run.last(), "dispatcher_batch")).as("jobs/s through POST /v1/generations/batch")
                .isPositive();
        assertThat(number(run.last(), "raw_producer")).isPositive();
        assertThat(number(run.last(), "record_bytes")).as("a request record is a few hundred bytes")
                .isBetween(100L, 4000L);
        assertThat(run.output()).contains("records sent").contains("fixed rates").contains("capacity sweep")
                .contains("batch capacity sweep");
        assertReports(run.output());
        assertNoProcessLeft();
    }

    @Test
    void latencyBreaksDownTheAddedLatencyOfEveryJob() {
        Run run = bench("latency", "--smoke");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.last()).matches("latency: jobs=10 completed=10 failed=0 lost=0 e2e_p50_ms=[0-9.]+ "
                + "e2e_p99_ms=[0-9.]+ pipeline_p50_ms=[0-9.]+ added_p50_ms=-?[0-9.]+ added_p99_ms=-?[0-9.]+ "
                + "added_share_p50=-?[0-9.]+");
        assertThat(run.output()).contains("send -> started.at").contains("of which upload");
        assertReports(run.output());
        assertNoProcessLeft();
    }

    @Test
    void loadFollowsEveryJobToItsTerminalEvent() {
        Run run = bench("load", "--private", "--rate", "4", "--duration", "3s", "--size", "64x64", "--steps", "2");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.last()).matches("load: submitted=\\d+ accepted=\\d+ http_errors=0 completed=\\d+ failed=0 "
                + "lost=0 .*");
        assertThat(number(run.last(), "submitted")).isEqualTo(number(run.last(), "accepted"))
                .isEqualTo(number(run.last(), "completed")).isGreaterThanOrEqualTo(10);
        assertThat(run.output()).contains("(HTTP, Gatling)");
        assertReports(run.output());
        assertNoProcessLeft();
    }
}
