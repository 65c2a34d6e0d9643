package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sdqueue.dispatcher.status.JobStatus;
import dev.sdqueue.dispatcher.status.Lookup;
import dev.sdqueue.dispatcher.status.StatusReplica;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The job-status store driven by events a worker would publish, produced here with a plain KafkaProducer. */
@QuarkusTest
@WithTestResource(KafkaStackResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusTransitionsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ConcurrentLinkedQueue<String> JOBS = new ConcurrentLinkedQueue<>();

    @Test
    void queuedRunningSucceededWithImages() {
        String id = submit("{\"prompt\":\"a lighthouse\",\"numImages\":2,\"seed\":11}");
        assertThat(status(id).getString("status")).isEqualTo("queued");

        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 1, "worker-a"));
        awaitStatus(id, "running");
        TestKafka.sendEvent(new GenerationEvent.Progress(id, now(), 1, 7, 20));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(id).getInt("progress.step")).isEqualTo(7));
        JsonPath running = status(id);
        assertThat(running.getInt("progress.totalSteps")).isEqualTo(20);
        assertThat(running.getInt("attempt")).isEqualTo(1);

        List<ImageRef> images = List.of(image(id, 0), image(id, 1));
        TestKafka.sendEvent(new GenerationEvent.Completed(id, now(), 1, images, Map.of("denoise", 812.0),
                "worker-a", "cpu", null));
        JsonPath done = awaitStatus(id, "succeeded");
        assertThat(done.getList("images.key", String.class)).containsExactly(images.get(0).key(),
                images.get(1).key());
        assertThat(done.getList("images.url", String.class)).containsExactly(images.get(0).url(),
                images.get(1).url());
        assertThat(done.getLong("images[1].seed")).isEqualTo(12L);
        assertThat(done.getString("request.prompt")).isEqualTo("a lighthouse");
        assertThat(done.getInt("request.numImages")).isEqualTo(2);
        assertThat(done.get("progress") == null).as("no progress once terminal").isTrue();
        assertThat(done.get("error") == null).isTrue();
    }

    @Test
    void failedWithReason() {
        String id = submit("{\"prompt\":\"doomed\"}");
        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 1, "worker-a"));
        TestKafka.sendEvent(new GenerationEvent.Failed(id, now(), 3, "model_not_found", "no model 'x'", false));
        JsonPath failed = awaitStatus(id, "failed");
        assertThat(failed.getString("error.reason")).isEqualTo("model_not_found");
        assertThat(failed.getString("error.message")).isEqualTo("no model 'x'");
        assertThat(failed.getBoolean("error.retriable")).isFalse();
        assertThat(failed.getInt("attempt")).isEqualTo(3);
        assertThat(failed.get("images") == null).isTrue();
    }

    @Test
    void duplicateTerminalEventsDoNotChangeTheOutcome() {
        String id = submit("{\"prompt\":\"once\"}");
        TestKafka.sendEvent(new GenerationEvent.Completed(id, now(), 1, List.of(image(id, 0)), null, "w", "cpu",
                null));
        JsonPath first = awaitStatus(id, "succeeded");

        // A redelivered job completes again, a zombie reports failure: both after the first terminal event.
        TestKafka.sendEvent(new GenerationEvent.Completed(id, now(), 2,
                List.of(new ImageRef("http://elsewhere/x.png", "other", "other/0.png", 64, 64, 1, "image/png")),
                null, "w2", "cpu", null));
        RecordMetadata last = TestKafka.sendEvent(new GenerationEvent.Failed(id, now(), 2, "oom", "late", true));
        // A marker job on the same partition: once it shows, the store has applied the duplicates before it.
        awaitMarkerAfter(last);

        JsonPath after = status(id);
        assertThat(after.getString("status")).isEqualTo("succeeded");
        assertThat(after.getMap("$")).isEqualTo(first.getMap("$"));
    }

    @Test
    void retriesShowEachAttemptAndLateEventsOfOlderAttemptsChangeNothing() {
        String id = submit("{\"prompt\":\"third time lucky\"}");
        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 1, "worker-a"));
        TestKafka.sendEvent(new GenerationEvent.Progress(id, now(), 1, 9, 20));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(id).getInt("progress.step")).isEqualTo(9));

        // Attempt 1 failed transiently (no terminal event); the retry topic brings attempt 2, then 3.
        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 2, "worker-b"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(id).getInt("attempt")).isEqualTo(2));
        JsonPath second = status(id);
        assertThat(second.getString("status")).isEqualTo("running");
        assertThat(second.getString("worker")).isEqualTo("worker-b");
        assertThat(second.get("progress") == null).as("the new attempt starts from step 0").isTrue();

        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 3, "worker-c"));
        TestKafka.sendEvent(new GenerationEvent.Progress(id, now(), 3, 2, 20));
        // A zombie of attempt 2 reports late.
        TestKafka.sendEvent(new GenerationEvent.Progress(id, now(), 2, 18, 20));
        RecordMetadata last = TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 2, "worker-b"));
        awaitMarkerAfter(last);
        JsonPath third = status(id);
        assertThat(third.getInt("attempt")).isEqualTo(3);
        assertThat(third.getString("worker")).isEqualTo("worker-c");
        assertThat(third.getInt("progress.step")).isEqualTo(2);

        TestKafka.sendEvent(new GenerationEvent.Completed(id, now(), 3, List.of(image(id, 0)), null, "worker-c",
                "cpu", null));
        JsonPath done = awaitStatus(id, "succeeded");
        assertThat(done.getInt("attempt")).isEqualTo(3);
    }

    @Test
    void aFinalFailureIsFinal() {
        String id = submit("{\"prompt\":\"keeps failing\"}");
        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 1, "worker-a"));
        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 2, "worker-a"));
        TestKafka.sendEvent(new GenerationEvent.Failed(id, now(), 2, "storage_unavailable", "S3 down", true));
        JsonPath failed = awaitStatus(id, "failed");
        assertThat(failed.getInt("attempt")).isEqualTo(2);
        assertThat(failed.getString("error.reason")).isEqualTo("storage_unavailable");

        // Nothing after it counts: a redelivery after a crash publishes again.
        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 3, "worker-b"));
        RecordMetadata last = TestKafka.sendEvent(new GenerationEvent.Completed(id, now(), 3, List.of(image(id, 0)),
                null, "worker-b", "cpu", null));
        awaitMarkerAfter(last);
        assertThat(status(id).getMap("$")).isEqualTo(failed.getMap("$"));
    }

    @Test
    void anExpiredDeadlineShowsAsFailedWithReasonExpired() {
        String deadline = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString();
        String id = submit("{\"prompt\":\"too late\",\"deadline\":\"" + deadline + "\"}");
        TestKafka.sendEvent(new GenerationEvent.Failed(id, now(), 1, "expired", "deadline " + deadline + " passed",
                false));
        JsonPath expired = awaitStatus(id, "failed");
        assertThat(expired.getString("error.reason")).isEqualTo("expired");
        assertThat(expired.getBoolean("error.retriable")).isFalse();
        assertThat(expired.getString("request.deadline")).isEqualTo(deadline);
    }

    @Test
    void aJobFromAnotherProducerShowsAsQueued() {
        String id = UUID.randomUUID().toString();
        JOBS.add(id);
        TestKafka.sendRequest(new GenerationRequested(id, "from elsewhere", null, null, null, null, null, null, null,
                null, null, now()));
        JsonPath queued = awaitStatus(id, "queued");
        assertThat(queued.getString("request.prompt")).isEqualTo("from elsewhere");
        assertThat(queued.get("request.width") == null).as("shown as published, defaults are the worker's")
                .isTrue();
    }

    /**
     * Last, so the rebuilt store has every job of this class to agree on: a second Kafka Streams instance with
     * its own application id reads both topics from the beginning and ends up with the same statuses.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aFreshStoreRebuildsTheSameStateFromTheTopics(@TempDir Path stateDir) throws Exception {
        String id = submit("{\"prompt\":\"survives restarts\"}");
        TestKafka.sendEvent(new GenerationEvent.Started(id, now(), 1, "w"));
        TestKafka.sendEvent(new GenerationEvent.Progress(id, now(), 1, 3, 20));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(id).getInt("progress.step")).isEqualTo(3));

        try (StatusReplica rebuilt = StatusReplica.builder(TestKafka.bootstrapServers(), "rebuild-test", stateDir)
                .build().start()) {
            assertThat(JOBS).isNotEmpty();
            for (String job : JOBS) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(rebuilt.lookup().find(job))
                        .isInstanceOfSatisfying(Lookup.Found.class,
                                found -> assertThat(found.status()).isEqualTo(appStatus(job))));
            }
            JobStatus survivor = ((Lookup.Found) rebuilt.lookup().find(id)).status();
            assertThat(survivor.progress().step()).isEqualTo(3);
        }
    }

    /** The status as the application answers it, read back into the record the store holds. */
    private static JobStatus appStatus(String id) {
        byte[] body = given().when().get("/v1/generations/" + id).then().statusCode(200).extract().asByteArray();
        try {
            return EventJson.fromBytes(body, JobStatus.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Once a marker job on the same partition shows, the store has applied every event before it (one task reads
     * a partition in order). The marker's id is one the default partitioner puts there, as the contract keys by id.
     */
    private static void awaitMarkerAfter(RecordMetadata last) {
        String marker = TestKafka.idOnPartition(Topics.EVENTS, last.partition());
        JOBS.add(marker);
        RecordMetadata sent = TestKafka.sendEvent(new GenerationEvent.Started(marker, now(), 1, "w"));
        assertThat(sent.partition()).isEqualTo(last.partition());
        awaitStatus(marker, "running");
    }

    private static String submit(String json) {
        String id = given().contentType("application/json").body(json)
                .when().post("/v1/generations").then().statusCode(202).extract().path("id");
        JOBS.add(id);
        return id;
    }

    private static JsonPath status(String id) {
        return given().when().get("/v1/generations/" + id).then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath awaitStatus(String id, String expected) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            int code = given().when().get("/v1/generations/" + id).statusCode();
            assertThat(code).isEqualTo(200);
            assertThat(status(id).getString("status")).isEqualTo(expected);
        });
        return status(id);
    }

    private static ImageRef image(String id, int index) {
        String key = "generations/" + id + "/" + index + ".png";
        return new ImageRef("http://127.0.0.1:9000/sdq-images/" + key + "?X-Amz-Signature=abc", "sdq-images", key,
                512, 512, 11 + index, "image/png");
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
