package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Kafka + S3Proxy with {@link HealthServerMain} jars standing in for the packaged dispatcher and worker (they
 * report the properties and environment they got): what each app is given, where its files go, that everything
 * stops by PID; and {@code ./sdq up | status | down} with background JVMs.
 */
class LocalSystemTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path jarDir;
    static Path jar;
    static Path model;

    @TempDir
    Path workDir;

    @BeforeAll
    static void buildStandIns() throws Exception {
        jar = HealthServerMain.jar(jarDir);
        model = Files.createDirectories(jarDir.resolve("model"));
        Files.writeString(model.resolve("model_index.json"), "{}");
    }

    private LocalSystemOptions.Builder options() {
        return LocalSystemOptions.builder(LocalSystem.home(), workDir).dispatcherJar(jar).workerJar(jar)
                .modelDir(model).dispatcherJvmOptions(List.of("-Xmx64m")).workerJvmOptions(List.of("-Xmx64m"))
                .dispatcherReadyTimeout(Duration.ofSeconds(60)).workerReadyTimeout(Duration.ofSeconds(60));
    }

    private static String get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void workersGetTheStacksS3SettingsWithTheSecretOnlyInTheirEnvironmentAndEverythingStopsByPid() throws Exception {
        LocalSystem system = LocalSystem.start(options().workers(2).workerName("w-%d").build(), line -> { });
        List<Long> pids;
        List<Integer> ports = new ArrayList<>();
        try {
            assertThat(system.workers()).extracting(LocalSystem.Worker::id).containsExactly("w-1", "w-2");
            LocalSystem.Worker worker = system.workers().get(1);
            assertThat(get(worker.uri("/property/sdq.storage.endpoint"))).isEqualTo(system.s3Endpoint());
            assertThat(get(worker.uri("/property/sdq.storage.access-key"))).isEqualTo(system.accessKey());
            assertThat(get(worker.uri("/property/sdq.storage.bucket"))).isEqualTo(system.bucket());
            assertThat(get(worker.uri("/property/sdq.storage.region"))).isEqualTo(system.region());
            assertThat(get(worker.uri("/property/sdq.storage.secret-key"))).isEqualTo("null");
            assertThat(get(worker.uri("/env/SDQ_STORAGE_SECRET_KEY"))).isEqualTo(system.secretKey())
                    .isEqualTo(LocalStackConfig.DEFAULT_SECRET_KEY);
            assertThat(ProcessHandle.of(worker.pid()).orElseThrow().info().commandLine().orElse(""))
                    .doesNotContain(system.secretKey()).contains("-Dsdq.storage.endpoint=" + system.s3Endpoint());
            assertThat(get(worker.uri("/property/kafka.bootstrap.servers"))).isEqualTo(system.bootstrapServers());
            assertThat(get(worker.uri("/property/sdq.model.dir"))).isEqualTo(model.toString());
            assertThat(get(worker.uri("/property/sdq.worker.id"))).isEqualTo("w-2");
            assertThat(get(worker.uri("/property/user.home"))).isEqualTo(workDir.resolve("home").toString());
            assertThat(get(worker.uri("/property/java.io.tmpdir"))).isEqualTo(workDir.resolve("tmp/w-2").toString());
            assertThat(get(worker.uri("/property/sdqueue.launcher.role"))).isEqualTo("w-2@" + workDir);
            // The dispatcher gets Kafka, never the S3 secret.
            URI dispatcher = system.dispatcherUri();
            assertThat(get(dispatcher.resolve("/property/kafka.bootstrap.servers"))).isEqualTo(system.bootstrapServers());
            assertThat(get(dispatcher.resolve("/env/SDQ_STORAGE_SECRET_KEY"))).isEqualTo("null");

            assertThat(workDir.resolve("logs/w-1.log")).content().contains("listening on");
            assertThat(workDir.resolve("logs/dispatcher.log")).content().contains("listening on");
            assertThat(workDir.resolve("run/dispatcher.pid")).content().isEqualTo(system.dispatcher().pid() + "\n");
            assertThat(workDir.resolve("run/w-2.port")).content().isEqualTo(worker.process().httpPort() + "\n");

            LocalSystem.Worker third = system.startWorker();
            assertThat(third.id()).isEqualTo("w-3");
            third.process().awaitReady(Duration.ofSeconds(60));
            pids = system.pids();
            assertThat(pids).hasSize(6).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d", pid).isTrue());
            system.workers().forEach(w -> ports.add(w.process().httpPort()));
            ports.add(system.dispatcher().httpPort());
            ports.add(system.stack().config().kafkaPort());
            ports.add(system.stack().config().s3Port());
        } finally {
            system.close();
        }
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d still alive", pid).isFalse());
        assertThat(ports).allSatisfy(port -> assertThat(Ports.isFree(port)).as("port %d", port).isTrue());
        assertThat(workDir.resolve("run")).isEmptyDirectory();
        system.close(); // idempotent
    }

    @Test
    void aWorkerThatExitsDuringStartupFailsTheStartWithItsLogAndLeavesNothingRunning() {
        List<Long> before = descendants();
        assertThatThrownBy(() -> LocalSystem.start(options().workerProperty("test.exit-code", "3").build(),
                line -> { }))
                .isInstanceOf(LocalStackException.class).hasMessageContaining("worker (pid")
                .hasMessageContaining("exited during startup").hasMessageContaining("failing on purpose with 3");
        assertThat(descendants()).isEqualTo(before);
    }

    @Test
    void missingBuildOutputIsNamedBeforeAnythingStarts() {
        Path missing = workDir.resolve("nothing.jar");
        assertThatThrownBy(() -> LocalSystem.start(options().workerJar(missing).build(), line -> { }))
                .isInstanceOf(LocalStackException.class).hasMessageContaining(missing + " is missing");
        assertThatThrownBy(() -> LocalSystem.start(options().modelDir(workDir).build(), line -> { }))
                .isInstanceOf(LocalStackException.class).hasMessageContaining("no model at " + workDir);
        assertThat(workDir.resolve("run")).doesNotExist();
    }

    private static List<Long> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
    }

    @Test
    void cliUpStartsBackgroundJvmsStatusShowsThemAndDownStopsThemByPid() throws Exception {
        int[] ports = Ports.freePorts(5);
        String[] options = {"--work-dir", workDir.toString(), "--kafka-port", "" + ports[0], "--controller-port",
            "" + ports[1], "--s3-port", "" + ports[2], "--dispatcher-port", "" + ports[3], "--worker-port",
            "" + ports[4], "--dispatcher-jar", jar.toString(), "--worker-jar", jar.toString(), "--model-dir",
            model.toString(), "--dispatcher-opts", "-Xmx64m", "--worker-opts", "-Xmx64m -Dtest.marker=1"};
        try {
            CliRun up = CliRun.of(concat("up", options));
            assertThat(up.exitCode()).as(up.err()).isZero();
            RecordedApp dispatcher = RecordedApp.read(workDir, "dispatcher").orElseThrow();
            RecordedApp worker = RecordedApp.read(workDir, "worker").orElseThrow();
            StackState stack = StackState.read(workDir.resolve("run")).orElseThrow();
            assertThat(dispatcher.port()).isEqualTo(ports[3]);
            assertThat(worker.port()).isEqualTo(ports[4]);
            assertThat(up.out()).contains("==> local stack (Kafka + S3Proxy)", "==> dispatcher", "==> worker",
                    "dispatcher ready after", "worker ready after", "sdqueue is up")
                    .containsPattern("dispatcher +http://127.0.0.1:" + ports[3] + "/v1/generations +pid "
                            + dispatcher.pid() + "  log .*logs/dispatcher.log")
                    .containsPattern("worker +http://127.0.0.1:" + ports[4] + "/q/health +pid " + worker.pid())
                    .containsPattern("kafka +127.0.0.1:" + ports[0] + " +pid " + stack.kafkaPid())
                    .containsPattern("s3 +http://127.0.0.1:" + ports[2] + "/sdq-images +pid " + stack.s3Pid())
                    .contains("model       " + model);
            assertThat(get(URI.create(worker.baseUrl() + "/property/test.marker"))).isEqualTo("1");
            assertThat(get(URI.create(worker.baseUrl() + "/env/SDQ_STORAGE_SECRET_KEY")))
                    .isEqualTo(LocalStackConfig.DEFAULT_SECRET_KEY);
            // Background JVMs: in a session of their own, not this JVM's children once it has exited.
            assertThat(ProcessHandle.of(worker.pid()).orElseThrow().info().commandLine().orElse(""))
                    .contains("-Dsdqueue.launcher.role=worker@" + workDir);

            CliRun again = CliRun.of(concat("up", options));
            assertThat(again.exitCode()).isZero();
            assertThat(again.out()).contains("dispatcher already running (pid " + dispatcher.pid() + ")")
                    .contains("worker already running (pid " + worker.pid() + ")");

            CliRun status = CliRun.of(concat("status", options));
            assertThat(status.exitCode()).isZero();
            assertThat(status.out()).containsPattern("dispatcher +pid " + dispatcher.pid() + " +http://127.0.0.1:"
                    + ports[3] + " +up").containsPattern("worker +pid " + worker.pid() + " +http://127.0.0.1:"
                    + ports[4] + " +up");

            CliRun down = CliRun.of(concat("down", options));
            assertThat(down.exitCode()).isZero();
            assertThat(down.out()).contains("stopping worker (pid " + worker.pid() + ")",
                    "stopping dispatcher (pid " + dispatcher.pid() + ")", "local stack stopped",
                    "nothing left listening on ports " + ports[4] + " " + ports[3] + " " + ports[0] + " " + ports[1]
                            + " " + ports[2]);
            for (long pid : List.of(dispatcher.pid(), worker.pid(), stack.kafkaPid(), stack.s3Pid())) {
                assertThat(alive(pid)).as("pid %d", pid).isFalse();
            }
            assertThat(CliRun.of(concat("status", options)).exitCode()).isEqualTo(1);
        } finally {
            LocalSystem.stopRecordedApps(workDir, line -> { });
            RecordedStacks.stopRecorded(LocalStackConfig.forTests().withWorkDir(workDir).withPorts(ports[0],
                    ports[1], ports[2]), line -> { });
        }
    }

    @Test
    void cliUpRefusesATakenAppPortBeforeStartingAnything() throws Exception {
        int[] ports = Ports.freePorts(4);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Ports.HOST))) {
            CliRun up = CliRun.of("up", "--work-dir", workDir.toString(), "--kafka-port", "" + ports[0],
                    "--controller-port", "" + ports[1], "--s3-port", "" + ports[2], "--dispatcher-port",
                    "" + taken.getLocalPort(), "--worker-port", "" + ports[3], "--dispatcher-jar", jar.toString(),
                    "--worker-jar", jar.toString(), "--model-dir", model.toString());

            assertThat(up.exitCode()).isEqualTo(1);
            assertThat(up.err()).contains("port " + taken.getLocalPort() + " (for the dispatcher) is already in use")
                    .contains("SDQ_DISPATCHER_PORT=<free port>");
            assertThat(workDir.resolve("run/stack.state")).doesNotExist();
            assertThat(Ports.isFree(ports[0])).isTrue();
        }
    }

    private static String[] concat(String command, String[] options) {
        String[] all = new String[options.length + 1];
        all[0] = command;
        System.arraycopy(options, 0, all, 1, options.length);
        return all;
    }
}
