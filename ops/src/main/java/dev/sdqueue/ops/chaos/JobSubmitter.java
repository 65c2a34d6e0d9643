package dev.sdqueue.ops.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdqueue.schema.EventJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submits jobs over HTTP to the dispatcher ({@code POST /v1/generations}), each with an {@code Idempotency-Key}, so
 * a retry after a 503 (broker restarting), a 409 (the same key still in flight) or a lost connection can never
 * create a second job. Small, fast, varied jobs: 64..128 px, 2..4 steps, different seeds, prompts and schedulers.
 */
final class JobSubmitter {
    /** An accepted job: when its first POST started and when the 202 arrived (wall clock, ms). */
    record Submission(int index, String jobId, long submittedAtMs, long acceptedAtMs, int tries) {
    }

    private static final String[] SUBJECTS = {"a red cube on a table", "a lighthouse at dusk", "a cat wearing a hat",
            "a bowl of ramen", "a green frog on a leaf", "a city skyline at night", "an old map", "a paper boat"};
    private static final String[] STYLES = {"watercolor", "pixel art", "photograph, 35mm", "oil painting", "sketch"};
    private static final int[] SIZES = {64, 96, 128};
    private static final String[] SCHEDULERS = {null, "euler", "ddim", "euler_a"};
    private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final URI endpoint;
    private final String runId;
    private final Map<String, Submission> accepted = new ConcurrentHashMap<>();
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();

    JobSubmitter(URI dispatcher, String runId) {
        this.endpoint = dispatcher.resolve("/v1/generations");
        this.runId = runId;
    }

    /** The request body of job {@code index}: deterministic, so a run can be repeated. */
    static ObjectNode body(int index) {
        ObjectNode body = EventJson.mapper().createObjectNode()
                .put("prompt", SUBJECTS[index % SUBJECTS.length] + ", " + STYLES[(index / 3) % STYLES.length])
                .put("width", SIZES[index % SIZES.length])
                .put("height", SIZES[(index / SIZES.length) % SIZES.length])
                .put("steps", 2 + index % 3)
                .put("seed", 1_000_003L * index + 17)
                .put("guidanceScale", 5.0 + (index % 6) * 0.5);
        String scheduler = SCHEDULERS[(index / 2) % SCHEDULERS.length];
        if (scheduler != null) {
            body.put("scheduler", scheduler);
        }
        if (index % 4 == 1) {
            body.put("negativePrompt", "blurry, low quality");
        }
        return body;
    }

    /**
     * Submits job {@code index}, retrying (same key) on 503, 409, 5xx and I/O errors for up to 3 minutes. A 4xx
     * other than 409 is a rejection (the body is wrong: a bug of this tool, counted and reported).
     */
    void submit(int index) {
        String key = "chaos-" + runId + "-" + index;
        byte[] body = EventJson.toBytes(body(index));
        long first = System.currentTimeMillis();
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        int tries = 0;
        while (true) {
            tries++;
            long backoffMs = 500;
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                        .timeout(Duration.ofSeconds(15))
                        .header("Content-Type", "application/json").header("Accept", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 202) {
                    JsonNode json = EventJson.mapper().readTree(response.body());
                    String jobId = json.path("id").asText();
                    accepted.put(jobId, new Submission(index, jobId, first, System.currentTimeMillis(), tries));
                    return;
                }
                if (status != 503 && status != 409 && status < 500) {
                    rejected.incrementAndGet();
                    System.err.println("chaos: job " + index + " rejected with HTTP " + status + ": "
                            + response.body());
                    return;
                }
                backoffMs = retryAfterMs(response).orElse(backoffMs);
            } catch (IOException e) {
                // dispatcher busy or restarting its connection: same key again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (System.nanoTime() > deadline) {
                abandoned.incrementAndGet();
                System.err.println("chaos: job " + index + " not accepted after " + tries + " tries; giving up");
                return;
            }
            retries.incrementAndGet();
            try {
                Thread.sleep(Math.min(backoffMs, 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static java.util.Optional<Long> retryAfterMs(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                return java.util.Optional.of(Long.parseLong(value.trim()) * 1000);
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        });
    }

    Collection<Submission> accepted() {
        return List.copyOf(accepted.values());
    }

    Map<String, Submission> acceptedById() {
        return Map.copyOf(accepted);
    }

    int acceptedCount() {
        return accepted.size();
    }

    int rejectedCount() {
        return rejected.get();
    }

    int abandonedCount() {
        return abandoned.get();
    }

    /** POSTs repeated after a 503/409/5xx/I-O error (each with the same key). */
    int retriedCount() {
        return retries.get();
    }
}
