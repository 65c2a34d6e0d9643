package dev.sdqueue.loadtests.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.loadtests.BenchCommand;
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
 * CI smoke of the worker-side benches on real processes (Kafka, S3Proxy, packaged workers, the generated benchmark
 * models): each run ends, prints its ratio line last with no failed job, writes its reports and leaves no process.
 * Structure only, never timing.
 */
class WorkerBenchIT {
    private static final Path ROOT = Path.of(System.getProperty("sdq.home", "..")).toAbsolutePath().normalize();
    private static final Path OUT = ROOT.resolve("load-tests/target/worker-bench-it");

    private static List<String> bench(String... args) throws Exception {
        Files.createDirectories(OUT);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            String[] all = new String[args.length + 4];
            System.arraycopy(args, 0, all, 0, args.length);
            System.arraycopy(new String[] {"--out", OUT.toString(), "--home", ROOT.toString()}, 0, all, args.length, 4);
            exit = new CommandLine(new BenchCommand()).execute(all);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(exit).as(output).isZero();
        assertReports(output);
        assertThat(ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("")).filter(c -> c.contains(OUT.toString())).toList())
                .as("processes left under %s", OUT).isEmpty();
        return output.lines().toList();
    }

    private static void assertReports(String output) {
        Matcher m = Pattern.compile("reports: (\\S+index\\.html)").matcher(output);
        assertThat(m.find()).as("report line in:%n%s", output).isTrue();
        Path html = Path.of(m.group(1).replaceAll(",$", ""));
        assertThat(html).content().contains("<svg");
        assertThat(html.resolveSibling("summary.json")).isRegularFile();
        assertThat(html.resolveSibling("plots.md")).content().contains("xychart-beta");
    }

    @Test
    void dutyMeasuresBothFinishingModesAndEveryStage() throws Exception {
        List<String> lines = bench("duty", "--smoke");

        assertThat(lines.get(lines.size() - 1)).matches("duty: model=bench-100ms duty_before=0\\.\\d+ duty_after="
                + "[01]\\.\\d+ ceiling=1 jobs_per_s_before=[0-9.]+ jobs_per_s_after=[0-9.]+ finishing_ms=[0-9.]+ "
                + "model_idle_ms=-?[0-9.]+ overlap=(yes|no) failed=0");
        assertThat(lines).anyMatch(line -> line.startsWith("bench-100ms finishing-jobs=0"))
                .anyMatch(line -> line.startsWith("bench-100ms finishing-jobs=2"));
        assertThat(String.join("\n", lines)).contains("text_enco").contains("upload").contains("rssPeak");
    }

    @Test
    void scalingRunsOneAndTwoWorkersWithTheWallClockBenchmarkModel() throws Exception {
        List<String> lines = bench("scaling", "--smoke");

        assertThat(lines.get(lines.size() - 1)).matches("scaling: n1_jobs_per_s=[0-9.]+ n1_of_ceiling=1\\.000 "
                + "n2_jobs_per_s=[0-9.]+ n2_of_ceiling=[0-9.]+ failed=0");
        assertThat(String.join("\n", lines)).contains("BENCHMARK MODEL bench-wallclock");
    }
}
