package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sdqueue.dispatcher.idempotency.IdempotencyKey;
import dev.sdqueue.dispatcher.idempotency.IdempotentAcceptance;
import dev.sdqueue.dispatcher.status.Lookup;
import dev.sdqueue.dispatcher.status.StatusReplica;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Idempotency-Key on POST /v1/generations, checked against what really reaches the requests topic. */
@QuarkusTest
@WithTestResource(KafkaStackResource.class)
class IdempotencyTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BODY = "{\"prompt\":\"a lighthouse at dusk\",\"seed\":5}";

    @BeforeEach
    void ready() {
        TestStatus.awaitReady(); // keyed POSTs are answered 503 until the status store runs
    }

    @Test
    void aRepeatedKeyYieldsOneJobAndOneRecord() {
        String key = UUID.randomUUID().toString();
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);

        ExtractableResponse<Response> first = post(key, BODY, 202);
        String id = first.path("id");
        assertThat(UUID.fromString(id).version()).as("derived from the key: a name-based UUID").isEqualTo(5);
        assertThat(first.header("Location")).isEqualTo("/v1/generations/" + id);
        assertThat(first.<String>path("status")).isEqualTo("queued");
        assertThat(first.header("Idempotent-Replayed")).isNull();

        ExtractableResponse<Response> second = post(key, BODY, 202);
        assertThat(second.<String>path("id")).isEqualTo(id);
        assertThat(second.header("Location")).isEqualTo("/v1/generations/" + id);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        // The key may be sent as an RFC 8941 sf-string too.
        assertThat(post("\"" + key + "\"", BODY, 202).<String>path("id")).isEqualTo(id);

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(Topics.REQUESTS, before, WAIT);
        assertThat(records).filteredOn(r -> id.equals(r.key())).singleElement().satisfies(r -> {
            assertThat(TestKafka.header(r, "sdq-idempotency-key")).contains(key);
            assertThat(EventJson.fromBytes(r.value(), GenerationRequested.class).jobId()).isEqualTo(id);
        });
        assertThat(records).as("nothing else was published").hasSize(1);
    }

    @Test
    void aRepeatAnswersWithTheJobsCurrentStatus() {
        String key = UUID.randomUUID().toString();
        String id = post(key, BODY, 202).path("id");
        TestKafka.sendEvent(new GenerationEvent.Started(id, Instant.now(), 1, "w1"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                given().when().get("/v1/generations/" + id).then().extract().<String>path("status"))
                .isEqualTo("running"));
        assertThat(post(key, BODY, 202).<String>path("status")).isEqualTo("running");
    }

    @Test
    void theSameKeyForADifferentBodyIs422NamingTheHeaderAndPublishesNothing() {
        String key = UUID.randomUUID().toString();
        String id = post(key, BODY, 202).path("id");
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);

        JsonPath problem = given().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"prompt\":\"a lighthouse at dawn\",\"seed\":5}")
                .when().post("/v1/generations")
                .then().statusCode(422).contentType("application/problem+json").extract().jsonPath();
        assertThat(problem.getString("type")).isEqualTo("urn:sdqueue:problem:idempotency-key-mismatch");
        assertThat(problem.getInt("status")).isEqualTo(422);
        assertThat(problem.getList("errors.field", String.class)).containsExactly("Idempotency-Key");
        assertThat(problem.getString("detail")).contains("Idempotency-Key");
        assertThat(problem.getString("detail")).doesNotContain(id);

        assertThat(TestKafka.readToEnd(Topics.REQUESTS, before, WAIT)).isEmpty();
    }

    @Test
    void spellingOutADefaultIsTheSameRequest() {
        String key = UUID.randomUUID().toString();
        String id = post(key, "{\"prompt\":\"defaults\"}", 202).path("id");
        assertThat(post(key, "{\"prompt\":\"defaults\",\"width\":512,\"negativePrompt\":null}", 202)
                .<String>path("id")).isEqualTo(id);
    }

    static Stream<String> invalidKeys() {
        return Stream.of("", "two words", "k".repeat(256), "caf\u00e9", "a,b");
    }

    @ParameterizedTest
    @MethodSource("invalidKeys")
    void anInvalidKeyIs400NamingTheHeaderTogetherWithBodyProblems(String key) {
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);
        JsonPath problem = given().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"prompt\":\"p\",\"steps\":0}")
                .when().post("/v1/generations")
                .then().statusCode(400).contentType("application/problem+json").extract().jsonPath();
        assertThat(problem.getList("errors.field", String.class)).containsExactlyInAnyOrder("Idempotency-Key", "steps");
        assertThat(TestKafka.readToEnd(Topics.REQUESTS, before, WAIT)).isEmpty();
    }

    @Test
    void theKeyTwiceIs400() {
        given().contentType("application/json").header("Idempotency-Key", "a").header("Idempotency-Key", "b")
                .body(BODY).when().post("/v1/generations")
                .then().statusCode(400).body("errors[0].field", org.hamcrest.Matchers.equalTo("Idempotency-Key"));
    }

    @Test
    void concurrentRepeatsQueueOneJob() throws Exception {
        String key = UUID.randomUUID().toString();
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);
        int clients = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<ExtractableResponse<Response>>> answers = new ArrayList<>();
        try {
            Callable<ExtractableResponse<Response>> call = () -> given().contentType("application/json")
                    .header("Idempotency-Key", key).body(BODY).when().post("/v1/generations").then().extract();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(call));
            }
            List<String> ids = new ArrayList<>();
            for (Future<ExtractableResponse<Response>> answer : answers) {
                ExtractableResponse<Response> response = answer.get();
                // 409: another of them was still being queued (the draft's answer); the client retries.
                assertThat(response.statusCode()).isIn(202, 409);
                if (response.statusCode() == 202) {
                    ids.add(response.path("id"));
                } else {
                    assertThat(response.header("Retry-After")).isNotNull();
                    assertThat(response.jsonPath().getList("errors.field", String.class))
                            .containsExactly("Idempotency-Key");
                }
            }
            assertThat(ids).isNotEmpty().containsOnly(ids.get(0));
        } finally {
            pool.shutdownNow();
        }
        String id = post(key, BODY, 202).path("id");
        assertThat(TestKafka.readToEnd(Topics.REQUESTS, before, WAIT)).extracting(ConsumerRecord::key)
                .containsExactly(id);
    }

    /**
     * Another replica, or this one restarted, knows nothing but the topics: a status store rebuilt from them (a
     * second Kafka Streams instance) decides the same key is the same job, under the same id.
     */
    @Test
    void aReplicaThatOnlyReadTheTopicsAnswersTheSameJob(@TempDir Path stateDir) throws Exception {
        String keyText = UUID.randomUUID().toString();
        String id = post(keyText, BODY, 202).path("id");
        GenerationRequested published = EventJson.fromBytes(
                TestKafka.findByKey(Topics.REQUESTS, id, WAIT).value(), GenerationRequested.class);

        try (StatusReplica other = StatusReplica.builder(TestKafka.bootstrapServers(), "other-replica", stateDir)
                .build().start()) {
            await().atMost(WAIT).until(() -> other.lookup().find(id) instanceof Lookup.Found);
            IdempotentAcceptance otherReplica = new IdempotentAcceptance(other.lookup()::status, Duration.ofHours(24));
            IdempotencyKey key = new IdempotencyKey(keyText);
            Instant later = Instant.now();
            GenerationRequested repeat = published.withJobId(UUID.randomUUID().toString(), later);
            IdempotentAcceptance.Decision decision = otherReplica.decide(key, repeat, later);
            assertThat(decision).isInstanceOf(IdempotentAcceptance.Replay.class);
            assertThat(((IdempotentAcceptance.Replay) decision).status().id()).isEqualTo(id);
            // ...and one that never saw the key derives the very id this replica published under.
            IdempotentAcceptance.Decision fresh = new IdempotentAcceptance(jobId -> java.util.Optional.empty(),
                    Duration.ofHours(24)).decide(key, repeat, later);
            assertThat(((IdempotentAcceptance.Publish) fresh).request().jobId()).isEqualTo(id);
        }
    }

    @Test
    void withoutAKeyEveryPostIsANewJob() {
        String first = post(null, BODY, 202).path("id");
        String second = post(null, BODY, 202).path("id");
        assertThat(first).isNotEqualTo(second);
        assertThat(UUID.fromString(first).version()).isEqualTo(4);
    }

    private static ExtractableResponse<Response> post(String key, String body, int status) {
        var request = given().contentType("application/json").body(body);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return request.when().post("/v1/generations").then().statusCode(status).extract();
    }
}
