package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child JVMs launched with {@code -jar}: readiness, properties, environment, SIGSTOP/SIGCONT, kill -9, SIGTERM. */
class AppProcessTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration READY = Duration.ofSeconds(30);

    @TempDir
    static Path jarDir;
    static Path jar;

    @TempDir
    Path workDir;

    /** A runnable jar of {@link HealthServerMain}, the stand-in for a packaged Quarkus app. */
    @BeforeAll
    static void buildJar() throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, HealthServerMain.class.getName());
        String entry = HealthServerMain.class.getName().replace('.', '/') + ".class";
        Path classes = Path.of(HealthServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        jar = jarDir.resolve("health-server.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(classes.resolve(entry)));
            out.closeEntry();
        }
    }

    @Test
    void startsOnAFreeLoopbackPortWithItsPropertiesEnvironmentAndHomeInsideTheWorkDir() throws Exception {
        try (AppProcess app = AppProcess.builder("app-1", jar, workDir).jvmOption("-Xmx64m")
                .property("sdq.example", "a value").environment("SDQ_SECRET", "s3cr3t").start()) {
            app.awaitReady(READY);
            assertThat(app.isAlive()).isTrue();
            assertThat(app.uri("/x")).hasHost("127.0.0.1").hasPort(app.httpPort());
            assertThat(get(app.uri("/property/sdq.example"))).isEqualTo("a value");
            assertThat(get(app.uri("/property/user.home"))).isEqualTo(workDir.toString());
            assertThat(get(app.uri("/property/java.io.tmpdir"))).isEqualTo(workDir.resolve("tmp").toString());
            assertThat(get(app.uri("/property/sdqueue.launcher.role"))).isEqualTo("app-1@" + workDir);
            assertThat(get(app.uri("/env/HOME"))).isEqualTo(workDir.toString());
            assertThat(get(app.uri("/env/SDQ_SECRET"))).isEqualTo("s3cr3t");
            // The secret travels by environment, not on the command line.
            assertThat(ProcessHandle.of(app.pid()).orElseThrow().info().commandLine().orElse(""))
                    .doesNotContain("s3cr3t").contains("-Dsdq.example=a value");
            assertThat(app.log()).isEqualTo(workDir.resolve("app-1.log"));
            assertThat(app.tail(5)).contains("listening on " + app.httpPort());
        }
    }

    @Test
    void killIsASigkillThatSkipsTheShutdownHook() {
        AppProcess app = AppProcess.builder("victim", jar, workDir).start().awaitReady(READY);
        long pid = app.pid();

        app.kill();

        assertThat(app.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(app.stop(Duration.ofSeconds(1))).as("exit code of a SIGKILLed JVM").isEqualTo(128 + 9);
        assertThat(app.tail(20)).doesNotContain("shutdown hook ran");
    }

    @Test
    void stopIsASigtermThatRunsTheShutdownHook() {
        AppProcess app = AppProcess.builder("graceful", jar, workDir).start().awaitReady(READY);

        int exit = app.stop(Duration.ofSeconds(20));

        assertThat(exit).as("exit code after SIGTERM").isEqualTo(128 + 15);
        assertThat(app.isAlive()).isFalse();
        assertThat(app.tail(20)).contains("shutdown hook ran");
        app.close(); // idempotent
    }

    @Test
    void aSuspendedProcessAnswersNothingUntilResumedAndCanStillBeStopped() {
        try (AppProcess app = AppProcess.builder("frozen", jar, workDir).start().awaitReady(READY)) {
            app.suspend();
            assertThat(app.isAlive()).isTrue();
            assertThat(app.isReady()).as("a stopped JVM cannot answer").isFalse();

            app.resume();
            assertThat(app.isReady()).isTrue();

            app.suspend();
            // stop() resumes before SIGTERM, so a frozen app does not sit out the whole grace period.
            long begin = System.nanoTime();
            assertThat(app.stop(Duration.ofSeconds(20))).isEqualTo(128 + 15);
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void anAppThatExitsBeforeItIsReadyIsReportedWithItsLog() {
        try (AppProcess app = AppProcess.builder("crasher", jar, workDir).property("test.exit-code", "3").start()) {
            assertThatThrownBy(() -> app.awaitReady(READY)).isInstanceOf(LocalStackException.class)
                    .hasMessageContaining("crasher").hasMessageContaining("exited with 3")
                    .hasMessageContaining("failing on purpose with 3");
        }
    }

    @Test
    void aMissingJarSaysHowToBuildIt() {
        assertThatThrownBy(() -> AppProcess.builder("nothing", workDir.resolve("no.jar"), workDir).start())
                .isInstanceOf(LocalStackException.class).hasMessageContaining("no.jar is missing")
                .hasMessageContaining("install");
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
