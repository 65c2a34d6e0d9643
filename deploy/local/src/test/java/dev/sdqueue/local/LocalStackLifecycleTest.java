package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Start and stop behaviour: what runs, what is left afterwards (nothing), reuse of a detached stack. */
class LocalStackLifecycleTest {

    @Test
    void closeStopsEveryChildFreesThePortsAndDeletesTheTemporaryWorkDir() {
        LocalStack stack = LocalStack.forTests().start();
        LocalStackConfig config = stack.config();
        List<Long> pids = List.of(stack.kafkaPid(), stack.s3ProxyPid());
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
        assertThat(List.of(config.kafkaPort(), config.controllerPort(), config.s3Port()))
                .allSatisfy(port -> assertThat(Ports.isListening(port)).as("port %d listening", port).isTrue());
        assertThat(config.workDir().resolve("run/stack.state")).isRegularFile();

        stack.close();

        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("pid %d still alive", pid).isEmpty());
        assertThat(List.of(config.kafkaPort(), config.controllerPort(), config.s3Port()))
                .allSatisfy(port -> assertThat(Ports.isFree(port)).as("port %d free", port).isTrue());
        assertThat(config.workDir()).doesNotExist();
        stack.close(); // idempotent
    }

    @Test
    void cliUpStartsADetachedStackThatStartOrReuseSharesAndDownStops(@TempDir Path workDir) {
        LocalStackConfig config = LocalStackConfig.forTests().withWorkDir(workDir).withEphemeral(false);
        String[] options = {"--work-dir", workDir.toString(), "--kafka-port", Integer.toString(config.kafkaPort()),
                "--controller-port", Integer.toString(config.controllerPort()), "--s3-port",
                Integer.toString(config.s3Port())};
        try {
            assertThat(cli("up", options).exitCode).isZero();
            StackState state = StackState.read(config.runDir()).orElseThrow();
            assertThat(state.detached()).isTrue();
            Cli status = cli("status", options);
            assertThat(status.exitCode).isZero();
            assertThat(status.out).contains("pid " + state.kafkaPid()).contains("pid " + state.s3Pid());

            // A second `up` is a no-op that reports the running stack.
            Cli again = cli("up", options);
            assertThat(again.exitCode).isZero();
            assertThat(again.out).contains("already running");

            try (LocalStack reused = LocalStack.startOrReuse(config)) {
                assertThat(reused.isReused()).isTrue();
                assertThat(reused.kafkaPid()).isEqualTo(state.kafkaPid());
                assertThat(reused.bootstrapServers()).isEqualTo(config.bootstrapServers());
            }
            // Closing the reusing handle left the detached stack alone.
            assertThat(ProcessHandle.of(state.kafkaPid()).map(ProcessHandle::isAlive)).contains(true);
            assertThat(ProcessHandle.of(state.s3Pid()).map(ProcessHandle::isAlive)).contains(true);

            // Other ports in the same work dir would share its data directories: refused with the reason.
            assertThatThrownBy(() -> LocalStack.startOrReuse(config.withPorts(config.kafkaPort() + 1,
                    config.controllerPort(), config.s3Port())))
                    .isInstanceOf(LocalStackException.class).hasMessageContaining("./sdq down");

            Cli down = cli("down", options);
            assertThat(down.exitCode).isZero();
            assertThat(down.out).contains("stopping kafka (pid " + state.kafkaPid() + ")");
            assertThat(ProcessHandle.of(state.kafkaPid()).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(ProcessHandle.of(state.s3Pid()).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(Ports.isFree(config.kafkaPort())).isTrue();
            assertThat(Ports.isFree(config.s3Port())).isTrue();
            assertThat(cli("status", options).exitCode).isEqualTo(LocalStackCli.NOT_RUNNING);
        } finally {
            RecordedStacks.stopRecorded(config, line -> { }); // never leave a detached JVM behind a failed assertion
        }
    }

    @Test
    void missingBuildOutputIsAnErrorThatSaysHowToBuild(@TempDir Path fakeRoot) throws Exception {
        Files.writeString(fakeRoot.resolve("pom.xml"), "<project/>");
        Files.createDirectories(fakeRoot.resolve("deploy/local"));
        Files.writeString(fakeRoot.resolve("deploy/local/pom.xml"), "<project/>");
        String previous = System.getProperty(ProjectLayout.HOME_PROPERTY);
        System.setProperty(ProjectLayout.HOME_PROPERTY, fakeRoot.toString());
        try {
            LocalStack stack = LocalStack.create(LocalStackConfig.forTests(), line -> { });
            assertThatThrownBy(stack::start)
                    .isInstanceOf(LocalStackException.class)
                    .hasMessageContaining("kafka-server/target/classpath.txt")
                    .hasMessageContaining("mvn -B -pl deploy/local -am install");
            assertThat(stack.config().workDir()).doesNotExist();
        } finally {
            if (previous == null) {
                System.clearProperty(ProjectLayout.HOME_PROPERTY);
            } else {
                System.setProperty(ProjectLayout.HOME_PROPERTY, previous);
            }
        }
    }

    private record Cli(int exitCode, String out) {
    }

    private static Cli cli(String command, String... options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        int code;
        // The subcommands print with System.out (they are also the ./sdq output): capture it.
        try (java.io.PrintStream capture = new java.io.PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            CommandLine commandLine = new CommandLine(new LocalStackCli());
            commandLine.setErr(new PrintWriter(capture, true));
            String[] args = new String[options.length + 1];
            args[0] = command;
            System.arraycopy(options, 0, args, 1, options.length);
            code = commandLine.execute(args);
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(text);
        return new Cli(code, text);
    }
}
