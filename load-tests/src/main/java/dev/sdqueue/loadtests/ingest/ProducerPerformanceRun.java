package dev.sdqueue.loadtests.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own {@code kafka-producer-perf-test} ({@code org.apache.kafka.tools.ProducerPerformance}) as a child JVM on
 * the kafka-server module's classpath (Kafka 4.4.0, the broker's own version), and its summary line parsed:
 * {@code N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P50 ms 50th, P95 ms 95th,
 * P99 ms 99th, P999 ms 99.9th.}
 */
public final class ProducerPerformanceRun {
    /** One summary line of ProducerPerformance. */
    public record Summary(long records, double recordsPerSecond, double mbPerSecond, double avgMs, double maxMs,
                         double p50Ms, double p95Ms, double p99Ms, double p999Ms, String line) {
    }

    private static final Pattern SUMMARY = Pattern.compile("(\\d+) (?:steady state )?records sent, ([\\d.]+) records/sec \\(([\\d.]+) "
            + "MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, "
            + "(\\d+) ms 99th, (\\d+) ms 99.9th");

    private ProducerPerformanceRun() {
    }

    /** The command line (also printed, so the run can be repeated by hand). */
    public static List<String> command(Path home, String bootstrapServers, String topic, long records, int recordSize,
                                       long warmupRecords) throws IOException {
        Path classpathFile = home.resolve("deploy/local/kafka-server/target/classpath.txt");
        String classpath = Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
        if (!classpath.contains("kafka-tools-")) {
            throw new IllegalStateException(classpathFile + " has no kafka-tools jar: rebuild deploy/local/kafka-server"
                    + " (mvn -B -pl deploy/local/kafka-server install)");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-cp", classpath, "org.apache.kafka.tools.ProducerPerformance",
                "--topic", topic, "--num-records", Long.toString(records), "--record-size",
                Integer.toString(recordSize), "--throughput", "-1"));
        if (warmupRecords > 0) {
            command.addAll(List.of("--warmup-records", Long.toString(warmupRecords)));
        }
        command.addAll(List.of("--producer-props", "acks=all", "bootstrap.servers=" + bootstrapServers));
        return command;
    }

    /** Runs it (output to {@code log} and to {@code lines}); returns the process, already ended. */
    public static List<Summary> run(List<String> command, Path workDir, Consumer<Process> started,
                                    Consumer<String> lines) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        started.accept(process);
        List<Summary> summaries = new ArrayList<>();
        try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.accept(line);
                parse(line).ifPresent(summaries::add);
            }
        } finally {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        if (process.exitValue() != 0 || summaries.isEmpty()) {
            throw new IllegalStateException("ProducerPerformance exited with " + process.exitValue()
                    + (summaries.isEmpty() ? " without a summary line" : ""));
        }
        return summaries;
    }

    static Optional<Summary> parse(String line) {
        Matcher m = SUMMARY.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new Summary(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)),
                Double.parseDouble(m.group(6)), Double.parseDouble(m.group(7)), Double.parseDouble(m.group(8)),
                Double.parseDouble(m.group(9)), line.strip()));
    }
}
