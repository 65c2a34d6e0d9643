package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.load.GatlingLoad;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Status lookups at a fixed arrival rate (open model: Gatling's {@code constantUsersPerSec}, each virtual user one
 * {@code GET /v1/generations/{id}} for a known id, so a slow replica gets more concurrent requests instead of fewer),
 * spread round-robin over the replicas through one keep-alive pool, after an unmeasured warm-up ramp
 * ({@link LookupSimulation}). Gatling, not the JDK client: at 1,000/s the JDK {@code HttpClient} took ~0.7 ms of CPU
 * per request here, Gatling ~0.05 ms, and the load generator shares the two cores with what it measures. Latency:
 * from the send to the whole answer.
 */
final class LookupLoad {
    /** The figures of one run, per replica and all together, and Gatling's own report. */
    record Result(double rate, double seconds, Map<String, LookupStats> byReplica, LookupStats all,
                  Path gatlingReport) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("ratePerSecond", rate);
            map.put("seconds", Math.round(seconds * 100) / 100.0);
            map.put("all", all.toMap());
            Map<String, Object> replicas = new LinkedHashMap<>();
            byReplica.forEach((name, stats) -> replicas.put(name, stats.toMap()));
            map.put("byReplica", replicas);
            map.put("gatlingReport", gatlingReport == null ? null : gatlingReport.toString());
            return map;
        }
    }

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private LookupLoad() {
    }

    /**
     * {@code warmup} of lookups ramping up to {@code rate}, then {@code rate * duration} measured lookups of ids from
     * {@code ids} to {@code replicas} (name to base URI); Gatling's results under {@code resultsDir}.
     * {@code finalStatus} is the text an answer must contain to count as the job's final status (e.g.
     * {@code "status":"succeeded"}).
     */
    static Result run(Map<String, URI> replicas, Supplier<String> ids, String finalStatus, double rate,
                      Duration warmup, Duration duration, Path resultsDir, String description) throws IOException {
        Map<String, LookupStats> stats = new LinkedHashMap<>();
        replicas.keySet().forEach(name -> stats.put(name, new LookupStats(name)));
        LookupSimulation.Sink sink = new LookupSimulation.Sink() {
            @Override
            public void sent(String replica) {
                stats.get(replica).sent();
            }

            @Override
            public void answered(String replica, int status, boolean isFinal, double latencyMs) {
                if (status == 0) {
                    stats.get(replica).failed();
                } else {
                    stats.get(replica).answered(status, isFinal, latencyMs);
                }
            }
        };
        Supplier<String> synchronizedIds = () -> {
            synchronized (ids) {
                return ids.get();
            }
        };
        long begin = System.nanoTime();
        LookupSimulation.handOver(new LookupSimulation.Plan(replicas, synchronizedIds, finalStatus, rate, warmup,
                duration, sink));
        try {
            GatlingLoad.runSimulation(LookupSimulation.class, resultsDir, description, REQUEST_TIMEOUT);
        } finally {
            LookupSimulation.handOver(null);
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        return new Result(rate, seconds, stats, LookupStats.merge("all", List.copyOf(stats.values())),
                GatlingLoad.latestReport(resultsDir).orElse(null));
    }
}
