package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** POST /v1/generations/batch against a real broker: what reaches sdq.generation.requests, and what does not. */
@QuarkusTest
@WithTestResource(KafkaStackResource.class)
class GenerationBatchTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BATCH = "/v1/generations/batch";

    @ConfigProperty(name = "sdq.dispatcher.max-batch")
    int maxBatch;

    @Test
    void aBatchOfThreeIsThreeJobsAndExactlyThreeRecords() throws Exception {
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);
        JsonPath answer = post(null, batch("{\"prompt\":\"one\",\"seed\":1}", "{\"prompt\":\"two\",\"width\":768}",
                "{\"prompt\":\"three\",\"steps\":4}"), 202).jsonPath();
        List<String> ids = answer.getList("jobs.id", String.class);
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        assertThat(ids).allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(4));
        assertThat(answer.getList("jobs.status", String.class)).containsOnly("queued");
        assertThat(answer.getList("jobs.location", String.class))
                .containsExactlyElementsOf(ids.stream().map(id -> "/v1/generations/" + id).toList());

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(Topics.REQUESTS, before, WAIT);
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(ids);
        Map<String, GenerationRequested> published = new java.util.HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            published.put(r.key(), EventJson.fromBytes(r.value(), GenerationRequested.class));
        }
        RequestDefaults d = RequestDefaults.DEFAULTS;
        // In request order, each with the defaults applied like a single request's record.
        assertThat(published.get(ids.get(0))).usingRecursiveComparison().ignoringFields("requestedAt").isEqualTo(
                new GenerationRequested(ids.get(0), "one", null, d.width(), d.height(), d.steps(), d.guidanceScale(),
                        1L, d.scheduler(), d.numImages(), d.model(), null));
        assertThat(published.get(ids.get(1)).width()).isEqualTo(768);
        assertThat(published.get(ids.get(2)).steps()).isEqualTo(4);
        // The same record format as POST /v1/generations: key = job id, CloudEvents headers, one ce_id each.
        assertThat(records).allSatisfy(r -> {
            assertThat(TestKafka.header(r, Headers.CONTENT_TYPE)).contains(Headers.JSON);
            assertThat(TestKafka.header(r, Headers.CE_TYPE)).contains(Headers.TYPE_REQUESTED);
            assertThat(TestKafka.header(r, "ce_subject")).contains(r.key());
            assertThat(TestKafka.header(r, Headers.TRACEPARENT)).isPresent();
            assertThat(TestKafka.headerNames(r)).doesNotHaveDuplicates().doesNotContain("sdq-idempotency-key");
        });
        assertThat(records.stream().map(r -> TestKafka.header(r, Headers.CE_ID).orElseThrow()).distinct())
                .hasSize(3);
    }

    @Test
    void anInvalidItemRejectsTheBatchNamingItAndPublishesNothing() {
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);
        JsonPath problem = post(null, batch("{\"prompt\":\"fine\"}", "{\"prompt\":\"p\",\"width\":500}",
                "{\"prompt\":\"also fine\"}"), 400).jsonPath();
        assertThat(problem.getString("type")).isEqualTo("urn:sdqueue:problem:invalid-request");
        assertThat(problem.getString("instance")).isEqualTo(BATCH);
        assertThat(problem.getList("errors.field", String.class)).containsExactly("requests[1].width");
        assertThat(problem.getString("detail")).contains("requests[1].width");
        assertNothingPublishedSince(before);
    }

    @Test
    void moreThanTheLimitIs400NamingRequests() {
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);
        String[] items = IntStream.range(0, maxBatch + 1).mapToObj(i -> "{\"prompt\":\"p" + i + "\"}")
                .toArray(String[]::new);
        JsonPath problem = post(null, batch(items), 400).jsonPath();
        assertThat(problem.getList("errors.field", String.class)).containsExactly("requests");
        assertThat(problem.getString("errors[0].message")).contains(String.valueOf(maxBatch + 1));
        assertThat(post(null, "{\"requests\":[]}", 400).jsonPath().getList("errors.field", String.class))
                .containsExactly("requests");
        assertNothingPublishedSince(before);
    }

    @Test
    void theSameIdempotencyKeyTwiceAnswersTheSameJobsWithOneRecordEach() {
        TestStatus.awaitReady(); // keyed POSTs wait for the view to have read the history
        String key = UUID.randomUUID().toString();
        String body = batch("{\"prompt\":\"a\",\"seed\":1}", "{\"prompt\":\"b\",\"seed\":2}");
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);

        ExtractableResponse<Response> first = post(key, body, 202);
        List<String> ids = first.jsonPath().getList("jobs.id", String.class);
        assertThat(ids).hasSize(2).doesNotHaveDuplicates();
        assertThat(ids).allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(5));
        assertThat(first.header("Idempotent-Replayed")).isNull();

        ExtractableResponse<Response> second = post(key, body, 202);
        assertThat(second.jsonPath().getList("jobs.id", String.class)).containsExactlyElementsOf(ids);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(Topics.REQUESTS, before, WAIT);
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(records).allSatisfy(r -> assertThat(TestKafka.header(r, "sdq-idempotency-key")).contains(key));

        // The same key for another batch within the window: 422, nothing published.
        Map<TopicPartition, Long> afterFirst = TestKafka.endOffsets(Topics.REQUESTS);
        JsonPath mismatch = post(key, batch("{\"prompt\":\"a\",\"seed\":1}", "{\"prompt\":\"c\",\"seed\":2}"), 422)
                .jsonPath();
        assertThat(mismatch.getList("errors.field", String.class)).containsExactly("Idempotency-Key");
        assertNothingPublishedSince(afterFirst);
    }

    @Test
    void theStatusOfABatchJobIsServed() {
        List<String> ids = post(null, batch("{\"prompt\":\"first\"}", "{\"prompt\":\"second\",\"steps\":3}"), 202)
                .jsonPath().getList("jobs.id", String.class);
        // No waiting: the accepting replica records every acknowledged job at once, as for single requests.
        JsonPath status = given().when().get("/v1/generations/" + ids.get(1)).then().statusCode(200).extract()
                .jsonPath();
        assertThat(status.getString("id")).isEqualTo(ids.get(1));
        assertThat(status.getString("status")).isEqualTo("queued");
        assertThat(status.getString("request.prompt")).isEqualTo("second");
        assertThat(status.getInt("request.steps")).isEqualTo(3);
    }

    @Test
    void theOpenApiDocumentDescribesTheBatchEndpoint() {
        JsonPath api = given().queryParam("format", "json").when().get("/q/openapi")
                .then().statusCode(200).extract().jsonPath();
        assertThat(api.getMap("paths.'/v1/generations/batch'.post.responses")).containsKeys("202", "400", "409",
                "422", "503");
        assertThat(api.getString("components.schemas.GenerationBatchRequest.properties.requests.items.'$ref'"))
                .endsWith("/GenerationRequest");
        assertThat(api.getMap("components.schemas.GenerationBatchJob.properties"))
                .containsKeys("id", "status", "location");
    }

    private static void assertNothingPublishedSince(Map<TopicPartition, Long> before) {
        // A marker after the rejected batch: everything between is what the rejected batch wrote (must be none).
        String marker = given().contentType("application/json").body("{\"prompt\":\"marker\"}")
                .when().post("/v1/generations").then().statusCode(202).extract().path("id");
        TestKafka.readUntil(Topics.REQUESTS, before, r -> marker.equals(r.key()), WAIT);
        // readToEnd: every partition up to its end now, not just up to the marker's partition.
        assertThat(TestKafka.readToEnd(Topics.REQUESTS, before, WAIT)).extracting(ConsumerRecord::key)
                .containsExactly(marker);
    }

    static String batch(String... items) {
        return "{\"requests\":[" + String.join(",", items) + "]}";
    }

    private static ExtractableResponse<Response> post(String key, String body, int status) {
        var request = given().contentType("application/json").body(body);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return request.when().post(BATCH).then().statusCode(status).extract();
    }
}
