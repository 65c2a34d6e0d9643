package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling of {@code ./sdq up|down|status|demo}; nothing here starts a process. */
class LocalSystemCliTest {

    @TempDir
    Path workDir;

    private String[] with(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--work-dir";
        all[args.length + 1] = workDir.toString();
        return all;
    }

    @Test
    void demoArgumentErrorsExitOneWithTheReasonAndStartNothing() {
        CliRun none = CliRun.of(with("demo"));
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("error: usage: ./sdq demo \"PROMPT\"");

        CliRun two = CliRun.of(with("demo", "a", "cat"));
        assertThat(two.exitCode()).isEqualTo(1);
        assertThat(two.err()).contains("one prompt only (quote it)");

        CliRun size = CliRun.of(with("demo", "a cat", "--size", "512"));
        assertThat(size.exitCode()).isEqualTo(1);
        assertThat(size.err()).contains("--size must look like 512x512, got '512'");

        CliRun steps = CliRun.of(with("demo", "a cat", "--steps", "many"));
        assertThat(steps.exitCode()).isEqualTo(1);
        assertThat(steps.err()).contains("error: Invalid value for option '--steps': 'many' is not an int")
                .contains("./sdq demo --help");

        CliRun unknown = CliRun.of(with("demo", "a cat", "--colour", "red"));
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("Unknown option: '--colour'");

        assertThat(workDir.resolve("run")).doesNotExist();
    }

    @Test
    void demoHelpListsTheRequestOptionsNotTheLauncherSettings() {
        CliRun help = CliRun.of("demo", "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--steps=N").contains("--size=WxH").contains("--scheduler=NAME")
                .contains("--negative=TEXT").contains("--guidance=G").contains("--images=N").contains("--seed=S")
                .doesNotContain("--kafka-port").doesNotContain("--dispatcher-url");
    }

    @Test
    void demoAgainstADispatcherThatDoesNotAnswerFails() {
        int port = Ports.freePorts(1)[0];
        CliRun run = CliRun.of(with("demo", "a cat", "--dispatcher-url", "http://127.0.0.1:" + port, "--out",
                workDir.resolve("out").toString()));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("==> POST http://127.0.0.1:" + port + "/v1/generations {\"prompt\":\"a cat\"}");
        assertThat(run.err()).contains("the dispatcher at http://127.0.0.1:" + port + " does not answer");
        assertThat(workDir.resolve("out")).doesNotExist();
    }

    @Test
    void downWithNothingRecordedChecksTheConfiguredPorts() {
        int[] ports = Ports.freePorts(5);
        CliRun down = CliRun.of(with("down", "--kafka-port", "" + ports[0], "--controller-port", "" + ports[1],
                "--s3-port", "" + ports[2], "--dispatcher-port", "" + ports[3], "--worker-port", "" + ports[4]));

        assertThat(down.exitCode()).isZero();
        assertThat(down.out()).contains("==> stopping sdqueue").contains("no local stack recorded in " + workDir)
                .contains("nothing left listening on ports " + ports[4] + " " + ports[3] + " " + ports[0] + " "
                        + ports[1] + " " + ports[2]);
    }

    @Test
    void statusWithNothingRecordedSaysSoAndExitsOne() {
        CliRun status = CliRun.of(with("status"));

        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.out()).contains("local stack: not running").containsPattern("dispatcher +not running")
                .containsPattern("worker +not running");
    }

    @Test
    void buildOutputsNameThePackagedAppsAndTheGeneratedModels() {
        Path home = LocalSystem.home();
        CliRun outputs = CliRun.of("build-outputs");

        assertThat(outputs.exitCode()).isZero();
        assertThat(outputs.out().lines()).contains(LocalSystem.dispatcherJar(home).toString(),
                LocalSystem.workerJar(home).toString(),
                home.resolve("models/target/tiny-random/model_index.json").toString(),
                home.resolve("models/target/bench-1s/model_index.json").toString());
    }
}
