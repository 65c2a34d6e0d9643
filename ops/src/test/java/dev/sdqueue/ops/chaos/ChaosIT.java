package dev.sdqueue.ops.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CI-sized chaos run ({@code ./sdq chaos --jobs 30 --kills 1 --poison 5 --s3-outage 5 --rebalance-storm 12}):
 * real Kafka, S3Proxy, dispatcher and three worker processes from the packaged jars, plus workers joining and leaving
 * every 4 s. A worker must really be killed mid-job and every poison kind injected; then nothing may be lost or
 * duplicated and every poison record must be on the DLQ.
 */
class ChaosIT {

    @Test
    void aSmallRunWithAKillAnS3OutageAndPoisonLosesAndDuplicatesNothing() throws Exception {
        Path root = Path.of(System.getProperty("sdq.home", "..")).toAbsolutePath().normalize();
        ChaosPlan plan = new ChaosPlan(30, 1, false, false, Duration.ofSeconds(5), 5, 3, 0, Duration.ofMinutes(4),
                Duration.ofMinutes(3), 10_000, "512m", Map.of(), List.of(), root, null, false, Duration.ofSeconds(12),
                Duration.ofSeconds(4));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);

        ChaosRun.Result result = new ChaosRun(plan, out).execute();

        String output = captured.toString(StandardCharsets.UTF_8);
        ChaosReport report = result.report();
        assertThat(result.kills()).as(output).hasSize(1);
        assertThat(result.killsConfirmedMidJob()).as("the killed job was redelivered with the same attempt")
                .isEqualTo(1);
        assertThat(result.poisonAcked()).isEqualTo(5);
        assertThat(output).as("the storm joined and stopped workers").containsPattern(
                "rebalance storm over: [1-9]\\d* joins, [1-9]\\d* leaves");
        assertThat(report.submitted()).isEqualTo(30);
        assertThat(report.lost()).as("lost jobs %s", report.lostJobs()).isZero();
        assertThat(report.duplicateTerminal()).as("jobs with two terminal events %s", report.duplicateJobs()).isZero();
        assertThat(report.dlq()).isGreaterThanOrEqualTo(5);
        assertThat(result.poisonOnDlq()).as("poison records found on the DLQ by ce_id").isEqualTo(5);
        assertThat(result.exitCode()).isZero();
        List<String> lines = output.lines().toList();
        assertThat(lines.get(lines.size() - 1)).matches("chaos: submitted=30 succeeded=\\d+ failed=\\d+ lost=0 "
                + "duplicate_terminal=0 dlq=\\d+ max_latency_ms=\\d+")
                .isEqualTo(report.lastLine());
        assertThat(result.pids()).isNotEmpty().allSatisfy(pid -> assertThat(ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)).as("process %d stopped", pid).isEmpty());
    }

    /** Keeps the run's output for the assertions and shows it live in the test log. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            first.flush();
            second.flush();
        }
    }
}
