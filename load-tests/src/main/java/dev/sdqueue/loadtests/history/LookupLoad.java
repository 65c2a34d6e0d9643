package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.BenchClock;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Status lookups at a fixed arrival rate (open model: the n-th GET is sent at {@code n / rate} seconds whatever
 * the earlier ones are doing, so a slow replica gets more concurrent requests instead of fewer), each
 * {@code GET /v1/generations/{id}} for a known id, spread round-robin over the replicas, sent with the JDK
 * {@link HttpClient} (async, HTTP/1.1 keep-alive). Latency: from the send to the whole answer.
 */
final class LookupLoad {
    /** The figures of one run, per replica and all together; {@code lateSends}: sends more than 10 ms behind plan. */
    record Result(double rate, double seconds, Map<String, LookupStats> byReplica, LookupStats all, long lateSends) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("ratePerSecond", rate);
            map.put("seconds", Math.round(seconds * 100) / 100.0);
            map.put("lateSends", lateSends);
            map.put("all", all.toMap());
            Map<String, Object> replicas = new LinkedHashMap<>();
            byReplica.forEach((name, stats) -> replicas.put(name, stats.toMap()));
            map.put("byReplica", replicas);
            return map;
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private LookupLoad() {
    }

    /**
     * Sends {@code rate * duration} lookups of ids from {@code ids} to {@code replicas} (name to base URI), then
     * waits for the last answers (at most the request timeout). {@code finalStatus} is the text an answer must
     * contain to count as the job's final status (e.g. {@code "status":"succeeded"}).
     */
    static Result run(Map<String, URI> replicas, Supplier<String> ids, String finalStatus, double rate,
                      Duration duration, PrintStream out) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<String> names = new ArrayList<>(replicas.keySet());
        Map<String, LookupStats> stats = new LinkedHashMap<>();
        names.forEach(name -> stats.put(name, new LookupStats(name)));
        long total = Math.max(1, Math.round(rate * duration.toMillis() / 1000.0));
        CountDownLatch pending = new CountDownLatch((int) total);
        long intervalNanos = (long) (1e9 / rate);
        long begin = System.nanoTime();
        long lateSends = 0;
        long nextReport = begin + 10_000_000_000L;
        for (long n = 0; n < total; n++) {
            long planned = begin + n * intervalNanos;
            long wait;
            while ((wait = planned - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (-wait > 10_000_000L) {
                lateSends++;
            }
            String name = names.get((int) (n % names.size()));
            LookupStats replica = stats.get(name);
            HttpRequest request = HttpRequest.newBuilder(replicas.get(name).resolve("/v1/generations/" + ids.get()))
                    .timeout(REQUEST_TIMEOUT).GET().build();
            replica.sent();
            long sentMicros = BenchClock.nowMicros();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                if (error != null) {
                    replica.failed();
                } else {
                    replica.answered(response.statusCode(), response.body().contains(finalStatus),
                            (BenchClock.nowMicros() - sentMicros) / 1000.0);
                }
                pending.countDown();
            });
            if (System.nanoTime() >= nextReport) {
                LookupStats sofar = LookupStats.merge("all", List.copyOf(stats.values()));
                out.printf(Locale.ROOT, "  ... lookups: %,d of %,d sent, %,d answered, %,d errors, p99 %.1f ms,"
                                + " load %s%n", n + 1, total, sofar.answeredCount(), sofar.errors(),
                        sofar.latency().p99(), MachineLoad.loadAverage());
                nextReport += 10_000_000_000L;
            }
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        pending.await(REQUEST_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        return new Result(rate, seconds, stats, LookupStats.merge("all", List.copyOf(stats.values())), lateSends);
    }
}
