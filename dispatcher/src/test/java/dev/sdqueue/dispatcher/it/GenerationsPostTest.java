package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaStackResource.class)
class GenerationsPostTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void acceptedRequestIsOnTheTopicWithKeyHeadersAndDefaultsApplied() throws Exception {
        Instant before = Instant.now().minusMillis(1);
        ExtractableResponse<Response> accepted = post("{\"prompt\":\"a red fox\",\"seed\":7,\"width\":768}");
        String id = accepted.path("id");
        assertThat(UUID.fromString(id)).isNotNull();
        assertThat(accepted.header("Location")).isEqualTo("/v1/generations/" + id);
        assertThat(accepted.<String>path("status")).isEqualTo("queued");

        ConsumerRecord<String, byte[]> record = TestKafka.findByKey(Topics.REQUESTS, id, WAIT);
        GenerationRequested published = EventJson.fromBytes(record.value(), GenerationRequested.class);
        RequestDefaults d = RequestDefaults.DEFAULTS;
        assertThat(published).usingRecursiveComparison().ignoringFields("requestedAt").isEqualTo(
                new GenerationRequested(id, "a red fox", null, 768, d.height(), d.steps(), d.guidanceScale(), 7L,
                        d.scheduler(), d.numImages(), d.model(), null));
        assertThat(published.requestedAt()).isBetween(before, Instant.now());

        assertThat(TestKafka.header(record, Headers.CONTENT_TYPE)).contains(Headers.JSON);
        assertThat(TestKafka.header(record, Headers.CE_SPECVERSION)).contains("1.0");
        assertThat(TestKafka.header(record, Headers.CE_TYPE)).contains(Headers.TYPE_REQUESTED);
        assertThat(TestKafka.header(record, Headers.CE_SOURCE)).hasValueSatisfying(
                source -> assertThat(source).startsWith("/sdq/dispatcher/").hasSizeGreaterThan(16));
        assertThat(TestKafka.header(record, Headers.CE_ID)).hasValueSatisfying(ceId -> assertThat(ceId).isNotBlank());
        assertThat(TestKafka.header(record, Headers.CE_TIME)).hasValueSatisfying(
                time -> assertThat(OffsetDateTime.parse(time).toInstant()).isBetween(before, Instant.now()));
        assertThat(TestKafka.header(record, Headers.TRACEPARENT)).hasValueSatisfying(
                tp -> assertThat(tp).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"));
        assertThat(TestKafka.headerNames(record)).as("each header once, no ce_datacontenttype next to content-type")
                .doesNotHaveDuplicates().doesNotContain("ce_datacontenttype");
    }

    @Test
    void eachRecordHasItsOwnCloudEventId() {
        String first = post("{\"prompt\":\"one\"}").path("id");
        String second = post("{\"prompt\":\"two\"}").path("id");
        assertThat(first).isNotEqualTo(second);
        String firstCeId = TestKafka.header(TestKafka.findByKey(Topics.REQUESTS, first, WAIT), Headers.CE_ID)
                .orElseThrow();
        String secondCeId = TestKafka.header(TestKafka.findByKey(Topics.REQUESTS, second, WAIT), Headers.CE_ID)
                .orElseThrow();
        assertThat(firstCeId).isNotEqualTo(secondCeId);
    }

    @Test
    void theCallersTraceContinuesOnTheRecord() {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String id = given().contentType("application/json")
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .body("{\"prompt\":\"traced\"}")
                .when().post("/v1/generations")
                .then().statusCode(202).extract().path("id");
        ConsumerRecord<String, byte[]> record = TestKafka.findByKey(Topics.REQUESTS, id, WAIT);
        assertThat(TestKafka.header(record, Headers.TRACEPARENT)).hasValueSatisfying(
                tp -> assertThat(tp).startsWith("00-" + traceId + "-").doesNotContain("00f067aa0ba902b7"));
    }

    @Test
    void theAcceptingReplicaShowsTheJobAsQueuedAtOnce() {
        String id = post("{\"prompt\":\"right away\",\"steps\":4}").path("id");
        // No waiting: read-your-write on the replica that accepted the request.
        given().when().get("/v1/generations/" + id)
                .then().statusCode(200)
                .contentType(startsWith("application/json"))
                .body("id", equalTo(id))
                .body("status", equalTo("queued"))
                .body("request.prompt", equalTo("right away"))
                .body("request.steps", equalTo(4))
                .body("request.width", equalTo(RequestDefaults.DEFAULTS.width()));
    }

    @Test
    void anAbsentModelStaysAbsentOnTheRecordAndAGivenOneIsKept() throws Exception {
        String omitted = post("{\"prompt\":\"on whatever model the worker serves\"}").path("id");
        String named = post("{\"prompt\":\"on sd15\",\"model\":\"sd15\"}").path("id");

        // Absent means "the worker's model": a stamped default would make a worker serving sd15 refuse the job.
        byte[] omittedValue = TestKafka.findByKey(Topics.REQUESTS, omitted, WAIT).value();
        JsonNode omittedJson = new ObjectMapper().readTree(omittedValue);
        assertThat(omittedJson.has("model")).as("no model on the record: %s", omittedJson).isFalse();
        assertThat(omittedJson.path("width").asInt()).as("the other defaults are still applied")
                .isEqualTo(RequestDefaults.DEFAULTS.width());
        assertThat(EventJson.fromBytes(omittedValue, GenerationRequested.class).model()).isNull();

        GenerationRequested namedRecord = EventJson.fromBytes(TestKafka.findByKey(Topics.REQUESTS, named, WAIT)
                .value(), GenerationRequested.class);
        assertThat(namedRecord.model()).isEqualTo("sd15");

        given().when().get("/v1/generations/" + omitted).then().statusCode(200)
                .body("request.prompt", equalTo("on whatever model the worker serves"))
                .body("request.model", nullValue());
        given().when().get("/v1/generations/" + named).then().statusCode(200)
                .body("request.model", equalTo("sd15"));
    }

    @Test
    void aDeadlineIsPublishedAndShownInTheStatus() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
        String offsetForm = deadline.atOffset(ZoneOffset.ofHours(2)).toString();
        String id = post("{\"prompt\":\"before it is too late\",\"deadline\":\"" + offsetForm + "\"}").path("id");

        GenerationRequested published = EventJson.fromBytes(TestKafka.findByKey(Topics.REQUESTS, id, WAIT).value(),
                GenerationRequested.class);
        assertThat(published.deadline()).isEqualTo(deadline);
        String status = given().when().get("/v1/generations/" + id).then().statusCode(200).extract()
                .path("request.deadline");
        assertThat(Instant.parse(status)).isEqualTo(deadline);
    }

    @Test
    void unknownIdIs404Problem() {
        String unknown = UUID.randomUUID().toString();
        TestStatus.awaitReady();
        given().when().get("/v1/generations/" + unknown)
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("type", equalTo("urn:sdqueue:problem:generation-not-found"))
                .body("instance", equalTo("/v1/generations/" + unknown))
                .body("title", equalTo("Generation not found"));
    }

    static ExtractableResponse<Response> post(String json) {
        return given().contentType("application/json").body(json)
                .when().post("/v1/generations")
                .then().statusCode(202).contentType(startsWith("application/json")).extract();
    }
}
