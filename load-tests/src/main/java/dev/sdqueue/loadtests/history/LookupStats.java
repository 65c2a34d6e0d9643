package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.Percentiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Status lookups answered by one replica: every answer's latency and outcome. A lookup is {@code ok} when the
 * answer is 200 with the job's final status; 200 with another status is {@code stale}; a 404 for a known id is
 * {@code notFound}; any other status or no answer at all (timeout, connection refused) is an error. Errors are
 * {@code notFound + otherStatus + transport}. Thread-safe.
 */
final class LookupStats {
    private final String replica;
    private final List<Double> latenciesMs = new ArrayList<>();
    private final Map<Integer, Long> byStatus = new TreeMap<>();
    private long sent;
    private long ok;
    private long stale;
    private long notFound;
    private long otherStatus;
    private long transport;

    LookupStats(String replica) {
        this.replica = replica;
    }

    String replica() {
        return replica;
    }

    synchronized void sent() {
        sent++;
    }

    /** An HTTP answer after {@code latencyMs}; {@code finalStatus}: the body shows the job's final status. */
    synchronized void answered(int httpStatus, boolean finalStatus, double latencyMs) {
        latenciesMs.add(latencyMs);
        byStatus.merge(httpStatus, 1L, Long::sum);
        if (httpStatus == 200) {
            if (finalStatus) {
                ok++;
            } else {
                stale++;
            }
        } else if (httpStatus == 404) {
            notFound++;
        } else {
            otherStatus++;
        }
    }

    /** No HTTP answer (timeout, refused, reset). */
    synchronized void failed() {
        transport++;
    }

    synchronized long answeredCount() {
        return latenciesMs.size();
    }

    synchronized long ok() {
        return ok;
    }

    synchronized long notFound() {
        return notFound;
    }

    synchronized long errors() {
        return notFound + otherStatus + transport;
    }

    synchronized Percentiles latency() {
        return Percentiles.of(latenciesMs);
    }

    /** The figures of several replicas together (latencies pooled). */
    static LookupStats merge(String name, List<LookupStats> parts) {
        LookupStats all = new LookupStats(name);
        for (LookupStats part : parts) {
            synchronized (part) {
                all.latenciesMs.addAll(part.latenciesMs);
                part.byStatus.forEach((status, count) -> all.byStatus.merge(status, count, Long::sum));
                all.sent += part.sent;
                all.ok += part.ok;
                all.stale += part.stale;
                all.notFound += part.notFound;
                all.otherStatus += part.otherStatus;
                all.transport += part.transport;
            }
        }
        return all;
    }

    synchronized Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("replica", replica);
        map.put("sent", sent);
        map.put("answered", (long) latenciesMs.size());
        map.put("ok", ok);
        map.put("stale", stale);
        map.put("notFound", notFound);
        map.put("otherStatus", otherStatus);
        map.put("transportErrors", transport);
        map.put("errors", notFound + otherStatus + transport);
        Map<String, Long> statuses = new LinkedHashMap<>();
        byStatus.forEach((status, count) -> statuses.put(Integer.toString(status), count));
        map.put("byHttpStatus", statuses);
        map.put("latencyMs", latency().toMap());
        return map;
    }
}
