package dev.sdqueue.ops.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line of {@code ./sdq chaos} (the issue's flags) as the run will see it. */
class ChaosCommandTest {
    private static final Path ROOT = Path.of(System.getProperty("sdq.home", "..")).toAbsolutePath().normalize();

    private static ChaosPlan parse(String... args) {
        ChaosCommand command = new ChaosCommand();
        new CommandLine(command).parseArgs(args);
        command.home = ROOT;
        return command.plan();
    }

    @Test
    void theIssuesFlagsBecomeThePlan() {
        ChaosPlan plan = parse("--jobs", "200", "--kills", "2", "--broker-restart", "--s3-outage", "20", "--poison", "10");

        assertThat(plan.jobs()).isEqualTo(200);
        assertThat(plan.kills()).isEqualTo(2);
        assertThat(plan.brokerRestart()).isTrue();
        assertThat(plan.brokerKill()).isFalse();
        assertThat(plan.s3Outage()).isEqualTo(Duration.ofSeconds(20));
        assertThat(plan.poison()).isEqualTo(10);
        assertThat(plan.workers()).isEqualTo(3);
        assertThat(plan.root()).isEqualTo(ROOT);
    }

    @Test
    void workerOptionsAndRetryTopicsArePassedOn() {
        ChaosPlan plan = parse("--workers", "2", "--worker-property", "sdq.worker.shutdown-grace=PT5S",
                "--worker-property", "a=b", "--retry-topics-ms", "2000,5000", "--rate", "4.5", "--keep");

        assertThat(plan.workers()).isEqualTo(2);
        assertThat(plan.workerProperties()).containsExactlyInAnyOrderEntriesOf(
                Map.of("sdq.worker.shutdown-grace", "PT5S", "a", "b"));
        assertThat(plan.retryTopicsMs()).containsExactly(2000L, 5000L);
        assertThat(plan.effectiveRate()).isEqualTo(4.5);
        assertThat(plan.keep()).isTrue();
    }

    @Test
    void refusesABrokerKillWithoutARestartAndAForeignHome() {
        assertThatThrownBy(() -> parse("--broker-kill")).hasMessageContaining("--broker-restart");
        ChaosCommand command = new ChaosCommand();
        new CommandLine(command).parseArgs("--home", "/");
        assertThatThrownBy(command::plan).hasMessageContaining("not the sdqueue repository root");
    }

    @Test
    void aWrongOptionIsAUsageErrorWithExitCode2() {
        assertThat(new CommandLine(new ChaosCommand()).execute("--jobs", "0", "--home", ROOT.toString()))
                .isEqualTo(2);
        assertThat(new CommandLine(new ChaosCommand()).getUsageMessage()).contains("--broker-restart", "--s3-outage",
                "2:the system could not be started".substring(2));
    }
}
