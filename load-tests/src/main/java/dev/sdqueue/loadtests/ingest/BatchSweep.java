package dev.sdqueue.loadtests.ingest;

import dev.sdqueue.loadtests.BenchClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Closed-model load on {@code POST /v1/generations/batch}: N requests in flight, each answered before the next is
 * sent, for a fixed time; every request carries the same batch body. The single-request sweep runs on Gatling,
 * whose simulation posts to {@code /v1/generations} only; this is the same closed loop on the JDK's HTTP client
 * (HTTP/1.1 keep-alive, one shared connection pool like Gatling's {@code shareConnections}). Its client cost per
 * job is small next to the dispatcher's (one request per {@code jobsPerRequest} jobs), and the load generator's CPU
 * is sampled and shown like Gatling's.
 */
final class BatchSweep implements AutoCloseable {
    /** One batch request: BenchClock micros before sending and after reading the answer, status (0 = none), jobs
     * the 202 listed. */
    record Answer(long sendMicros, long answerMicros, int status, int jobs) {
        double latencyMs() {
            return (answerMicros - sendMicros) / 1000.0;
        }
    }

    private final URI batchUri;
    private final Duration timeout;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "batch-sweep");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client;

    BatchSweep(URI dispatcher, Duration timeout) {
        this.batchUri = dispatcher.resolve("/v1/generations/batch");
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** {@code {"requests":[item, item, ...]}} with {@code jobs} copies of a single request's body. */
    static byte[] body(byte[] item, int jobs) {
        String one = new String(item, StandardCharsets.UTF_8);
        return ("{\"requests\":[" + String.join(",", Collections.nCopies(jobs, one)) + "]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code inFlight} closed loops for {@code duration}; returns every answer once all loops stopped. */
    List<Answer> run(byte[] body, int inFlight, Duration duration) throws InterruptedException {
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch stopped = new CountDownLatch(inFlight);
        long endNanos = System.nanoTime() + duration.toNanos();
        HttpRequest request = HttpRequest.newBuilder(batchUri).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        for (int i = 0; i < inFlight; i++) {
            next(request, endNanos, answers, stopped);
        }
        if (!stopped.await(duration.plus(timeout).plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("batch sweep: requests still unanswered long after the level ended");
        }
        synchronized (answers) {
            return List.copyOf(answers);
        }
    }

    private void next(HttpRequest request, long endNanos, List<Answer> answers, CountDownLatch stopped) {
        if (System.nanoTime() >= endNanos) {
            stopped.countDown();
            return;
        }
        long sent = BenchClock.nowMicros();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            long answered = BenchClock.nowMicros();
            int status = failure == null ? response.statusCode() : 0;
            int jobs = status == 202 ? count(response.body(), "\"id\"") : 0;
            answers.add(new Answer(sent, answered, status, jobs));
            next(request, endNanos, answers, stopped);
        });
    }

    private static int count(String text, String token) {
        int n = 0;
        for (int at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + token.length())) {
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        executor.shutdownNow(); // the JDK 17 HttpClient has no close(); its connections go with the dispatcher
    }
}
