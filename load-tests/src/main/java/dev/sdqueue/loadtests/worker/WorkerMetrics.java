package dev.sdqueue.loadtests.worker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a worker's {@code /q/metrics} (Prometheus text), taken at {@code nanos} (local monotonic clock), with
 * the few series the worker benches read: per-stage timers, model busy time, memory.
 */
public record WorkerMetrics(long nanos, Map<String, Double> series) {
    /** Worker stages in job order (worker/README.md, Metrics). */
    public static final List<String> STAGES = List.of("dequeue", "admit", "admission_wait", "tokenize",
            "text_encoder", "denoise", "vae_decode", "backpressure", "png", "upload", "publish");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static WorkerMetrics scrape(URI metrics) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        long at = System.nanoTime();
        if (response.statusCode() != 200) {
            throw new IOException(metrics + " answered " + response.statusCode());
        }
        return new WorkerMetrics(at, parse(response.body()));
    }

    /**
     * {@code name{labels} value [# exemplar]} lines; the key is everything before the value (labels as written).
     */
    static Map<String, Double> parse(String text) {
        Map<String, Double> series = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int exemplar = line.indexOf(" # "); // OpenMetrics exemplar after the value
            if (exemplar > 0) {
                line = line.substring(0, exemplar);
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            try {
                series.put(line.substring(0, space).trim(), Double.parseDouble(line.substring(space + 1).trim()));
            } catch (NumberFormatException e) {
                // a line this parser does not need (e.g. with a timestamp): skipped
            }
        }
        return series;
    }

    /** Sum over every series of {@code name} whose labels contain {@code labelPart} (e.g. {@code stage="png"}). */
    public double sum(String name, String labelPart) {
        double total = 0;
        for (Map.Entry<String, Double> e : series.entrySet()) {
            String key = e.getKey();
            boolean nameMatches = key.equals(name) || key.startsWith(name + "{");
            if (nameMatches && (labelPart.isEmpty() || key.contains(labelPart)) && !e.getValue().isNaN()) {
                total += e.getValue();
            }
        }
        return total;
    }

    public double stageSeconds(String stage) {
        return sum("sdq_worker_stage_seconds_sum", "stage=\"" + stage + "\"");
    }

    public double stageCount(String stage) {
        return sum("sdq_worker_stage_seconds_count", "stage=\"" + stage + "\"");
    }

    public double modelBusySeconds() {
        return sum("sdq_worker_model_busy_seconds_total", "");
    }

    public double residentBytes() {
        return sum("sdq_process_resident_memory_bytes", "");
    }

    public double heapUsedBytes() {
        return sum("jvm_memory_used_bytes", "area=\"heap\"");
    }

    public double seconds(WorkerMetrics later) {
        return (later.nanos - nanos) / 1e9;
    }
}
