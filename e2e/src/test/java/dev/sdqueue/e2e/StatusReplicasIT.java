package dev.sdqueue.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdqueue.local.AppProcess;
import dev.sdqueue.local.LocalSystem;
import dev.sdqueue.local.LocalSystemOptions;
import dev.sdqueue.schema.EventJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two dispatcher processes (the packaged jar) sharing the job-status store's partitions: any replica answers for
 * any job, from its own standby copy (the first, default settings) or forwarding to the one that hosts it (the
 * second, {@code sdq.status.standby-max-lag=-1}: non-final statuses always from the owner); the accepting replica
 * reads its own writes at once.
 */
class StatusReplicasIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path workDir;
    static LocalSystem system;
    static AppProcess second;
    static URI[] replicas;

    @BeforeAll
    static void start() {
        Path root = RunningSystem.projectRoot();
        system = LocalSystem.start(LocalSystemOptions.builder(root, workDir).workers(0)
                .dispatcherJvmOptions(List.of("-Xmx512m")).dispatcherReadyTimeout(WAIT).build(),
                line -> System.out.println("[e2e] " + line));
        int port = freePort();
        second = AppProcess.builder("dispatcher-2", LocalSystem.dispatcherJar(root), workDir)
                .logFile(system.logFile("dispatcher-2")).homeDir(workDir.resolve("home"))
                .tmpDir(workDir.resolve("tmp").resolve("dispatcher-2")).httpPort(port).jvmOption("-Xmx512m")
                .properties(Map.of("kafka.bootstrap.servers", system.bootstrapServers(),
                        "quarkus.kafka.devservices.enabled", "false", "sdq.status.standby-max-lag", "-1"))
                .properties(LocalSystem.dispatcherStatusStore(workDir, "dispatcher-2", port))
                .start().awaitReady(WAIT);
        replicas = new URI[] {system.dispatcherUri(), second.uri("")};
    }

    @AfterAll
    static void stop() {
        try {
            if (second != null) {
                second.close();
            }
        } finally {
            if (system != null) {
                system.close();
            }
        }
    }

    @Test
    void everyReplicaAnswersForEveryJobAndTheAcceptingOneReadsItsWritesAtOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            URI replica = replicas[i % 2];
            HttpResponse<String> accepted = post(replica, "{\"prompt\":\"replica test " + i + "\"}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            String id = EventJson.mapper().readTree(accepted.body()).get("id").asText();
            ids.add(id);
            assertThat(get(replica, id).statusCode()).as("read-your-writes on the accepting replica").isEqualTo(200);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            boolean all = true;
            for (String id : ids) {
                HttpResponse<String> a = get(replicas[0], id);
                HttpResponse<String> b = get(replicas[1], id);
                all &= a.statusCode() == 200 && b.statusCode() == 200
                        && EventJson.mapper().readTree(a.body()).equals(EventJson.mapper().readTree(b.body()));
            }
            boolean bothHostJobs = lookups(replicas[0], "local") > 0 && lookups(replicas[0], "standby") > 0
                    && lookups(replicas[1], "local") > 0 && lookups(replicas[1], "forwarded") > 0;
            if (all && bothHostJobs) {
                break;
            }
            assertThat(System.nanoTime()).as("both replicas answer every job: the first reading some from its "
                    + "standby copy, the second forwarding some").isLessThan(deadline);
            Thread.sleep(500);
        }
        JsonNode status = EventJson.mapper().readTree(get(replicas[1], ids.get(0)).body());
        assertThat(status.get("status").asText()).isEqualTo("queued");
        assertThat(status.get("request").get("prompt").asText()).isEqualTo("replica test 0");
        assertThat(get(replicas[1], "no-such-job").statusCode()).isEqualTo(404);
    }

    /**
     * 1,000 lookups/s for 5 s, open loop, of jobs the other replica hosts, through the replica that forwards them:
     * every one answered 200. The latency is printed for the README's figure, not asserted: this box is shared with
     * other builds, and a bound that holds here on a quiet machine would fail on a busy one.
     */
    @Test
    void forwardedLookupsAtAThousandPerSecond() throws Exception {
        measure(replicas[1], hostedElsewhere(replicas[0], replicas[1], "forwarded"), "forwarded");
    }

    /** The same through the replica that reads them from its own standby copy (default settings). */
    @Test
    void standbyLookupsAtAThousandPerSecond() throws Exception {
        measure(replicas[0], hostedElsewhere(replicas[1], replicas[0], "standby"), "from the standby copy");
    }

    /** Up to 10 jobs accepted by {@code accepting} that {@code reading} answers by {@code source}. */
    private static List<String> hostedElsewhere(URI accepting, URI reading, String source) throws Exception {
        List<String> found = new ArrayList<>();
        for (int i = 0; found.size() < 10 && i < 200; i++) {
            String id = EventJson.mapper().readTree(post(accepting, "{\"prompt\":\"latency " + i + "\"}").body())
                    .get("id").asText();
            awaitStatus(reading, id);
            Thread.sleep(1_200); // the standby copy is sampled as fresh once a second
            double before = lookups(reading, source);
            assertThat(get(reading, id).statusCode()).isEqualTo(200);
            if (lookups(reading, source) > before) {
                found.add(id);
            }
        }
        assertThat(found).as("jobs answered " + source).isNotEmpty();
        return found;
    }

    private static void measure(URI replica, List<String> ids, String label) throws Exception {
        for (int i = 0; i < 2_000; i++) { // warm-up: the JIT, the connection pools
            assertThat(get(replica, ids.get(i % ids.size())).statusCode()).isEqualTo(200);
        }
        int n = 5_000;
        long[] micros = new long[n];
        List<CompletableFuture<Void>> pending = new ArrayList<>(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * 1_000_000L;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            int slot = i;
            long sent = System.nanoTime();
            pending.add(HTTP.sendAsync(request(replica, ids.get(i % ids.size())),
                    HttpResponse.BodyHandlers.discarding()).thenAccept(r -> {
                        assertThat(r.statusCode()).isEqualTo(200);
                        micros[slot] = (System.nanoTime() - sent) / 1_000;
                    }));
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get();
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(micros);
        System.out.printf("[e2e] GET /v1/generations/{id} of jobs the other replica hosts, %s, %d at 1000/s (done in"
                + " %.1f s): p50=%d us p99=%d us max=%d us%n", label, n, seconds, micros[n / 2],
                micros[(int) (n * 0.99)], micros[n - 1]);
        assertThat(micros[0]).as("every lookup was answered").isPositive();
    }

    private static void awaitStatus(URI replica, String id) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (get(replica, id).statusCode() != 200) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static double lookups(URI replica, String source) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(replica.resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^sdq_status_lookups_total\\{[^}]*source=\"" + source
                + "\"[^}]*\\} ([0-9.eE+-]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static HttpResponse<String> post(URI replica, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(replica.resolve("/v1/generations"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI replica, String id) throws Exception {
        return HTTP.send(request(replica, id), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(URI replica, String id) {
        return HttpRequest.newBuilder(replica.resolve("/v1/generations/" + id)).timeout(Duration.ofSeconds(10))
                .GET().build();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
