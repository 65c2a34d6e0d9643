package dev.sdqueue.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdqueue.local.LocalSystem;
import dev.sdqueue.local.LocalSystemOptions;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention across the whole system with a 4 s {@code sdq.status.ttl}: a finished job's status is deleted by the
 * dispatcher's status store after it (404), and its PNG by the bucket lifecycle rule the worker put in place (the
 * local S3 server's lifecycle "day" lasts 2 s here); the presigned link never outlives the image.
 */
class RetentionIT {
    private static final Duration TTL = Duration.ofSeconds(4);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path workDir;
    static LocalSystem system;

    @BeforeAll
    static void start() {
        Path root = RunningSystem.projectRoot();
        system = LocalSystem.start(LocalSystemOptions.builder(root, workDir).workers(1)
                .s3LifecycleDayLength(Duration.ofSeconds(2))
                .dispatcherProperties(Map.of("sdq.status.ttl", TTL.toString(),
                        "sdq.status.ttl-scan-interval", "PT1S", "sdq.idempotency.window", TTL.toString()))
                .dispatcherJvmOptions(List.of("-Xmx512m")).dispatcherReadyTimeout(WAIT)
                .workerProperties(Map.of("sdq.status.ttl", TTL.toString(), "sdq.storage.url-expiry", TTL.toString()))
                .workerReadyTimeout(WAIT).build(), line -> System.out.println("[e2e] " + line));
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void aFinishedJobsStatusAndImageAreGoneAfterTheTtl() throws Exception {
        URI api = system.dispatcherUri();
        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(api.resolve("/v1/generations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"retention\",\"steps\":2,\"width\":64,"
                        + "\"height\":64}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asText();

        JsonNode done = await("the job succeeded", () -> {
            HttpResponse<String> status = status(api, id);
            JsonNode body = status.statusCode() == 200 ? JSON.readTree(status.body()) : null;
            return body != null && "succeeded".equals(body.get("status").asText()) ? body : null;
        });
        JsonNode image = done.get("images").get(0);
        String bucket = image.get("bucket").asText();
        String key = image.get("key").asText();
        try (MinioClient s3 = MinioClient.builder().endpoint(system.stack().s3Endpoint()).region("us-east-1")
                .credentials(system.stack().accessKey(), system.stack().secretKey()).build()) {
            assertThat(exists(s3, bucket, key)).isTrue();

            long succeededAt = System.nanoTime();
            await("the status is deleted after the TTL", () -> status(api, id).statusCode() == 404 ? true : null);
            double statusGone = (System.nanoTime() - succeededAt) / 1e9;
            await("the image is deleted by the lifecycle rule", () -> exists(s3, bucket, key) ? null : true);
            double imageGone = (System.nanoTime() - succeededAt) / 1e9;
            System.out.printf(java.util.Locale.ROOT, "[e2e] retention: status 404 %.1f s and PNG deleted %.1f s after "
                    + "the job was seen succeeded (sdq.status.ttl %s, lifecycle day = 2 s)%n", statusGone, imageGone,
                    TTL);
        }
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(image.get("url").asText())).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).as("the link died no later than the image")
                .isIn(403, 404);
    }

    private static HttpResponse<String> status(URI api, String id) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(api.resolve("/v1/generations/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static boolean exists(MinioClient s3, String bucket, String key) throws Exception {
        try {
            s3.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return false;
            }
            throw e;
        }
    }

    /** Polls {@code check} (null = not yet) every 250 ms for up to a minute. */
    private static <T> T await(String what, Callable<T> check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            T result = check.call();
            if (result != null) {
                return result;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting until " + what);
    }
}
