package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
@WithTestResource(KafkaStackResource.class)
class BadRequestsTest {
    private static final String JSON = "application/json";

    /** content type | body | the fields the problem must name (exactly). */
    static Stream<Arguments> badRequests() {
        String longPrompt = "x".repeat(RequestLimits.DEFAULTS.maxPromptLength() + 1);
        return Stream.of(
                Arguments.of(JSON, "{\"negativePrompt\":\"no prompt\"}", List.of("prompt")),
                Arguments.of(JSON, "{\"prompt\":\"  \"}", List.of("prompt")),
                Arguments.of(JSON, "{\"prompt\":\"" + longPrompt + "\"}", List.of("prompt")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"width\":500}", List.of("width")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"width\":2048,\"height\":2048}", List.of("width", "height")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"steps\":0}", List.of("steps")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"guidanceScale\":NaN}", List.of("guidanceScale")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"guidanceScale\":\"NaN\"}", List.of("guidanceScale")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"scheduler\":\"k_euler\"}", List.of("scheduler")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"model\":\"  \"}", List.of("model")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"model\":42}", List.of("model")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"width\":\"abc\"}", List.of("width")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"width\":abc}", List.of("width")),
                Arguments.of(JSON, "{\"prompt\":\"p\",", List.of("prompt")),
                Arguments.of(JSON, "not json", List.of("body")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"negative_prompt\":\"blurry\"}", List.of("negative_prompt")),
                Arguments.of(JSON, "", List.of("body")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"deadline\":\"2000-01-01T00:00:00Z\"}", List.of("deadline")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"deadline\":\"2999-01-01T00:00:00Z\"}", List.of("deadline")),
                Arguments.of(JSON, "{\"prompt\":\"p\",\"deadline\":\"in an hour\"}", List.of("deadline")),
                Arguments.of("text/plain", "{\"prompt\":\"p\"}", List.of("Content-Type")),
                Arguments.of("application/x-www-form-urlencoded", "prompt=p", List.of("Content-Type")),
                Arguments.of(JSON, "{\"prompt\":\"\",\"width\":513,\"steps\":0,\"guidanceScale\":NaN,"
                        + "\"scheduler\":\"nope\",\"negative_prompt\":\"x\"}",
                        List.of("prompt", "width", "steps", "guidanceScale", "scheduler", "negative_prompt")));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void badRequestIs400ProblemNamingEachBadField(String contentType, String body, List<String> fields) {
        JsonPath problem = given().contentType(contentType).body(body)
                .when().post("/v1/generations")
                .then().statusCode(400).contentType("application/problem+json")
                .extract().jsonPath();
        assertProblem(problem, fields);
    }

    @Test
    void missingContentTypeIsNamed() throws Exception {
        HttpResponse<String> response = send(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"p\"}"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertProblem(JsonPath.from(response.body()), List.of("Content-Type"));
    }

    @Test
    void noBadRequestReachesKafka() throws Exception {
        Map<TopicPartition, Long> before = TestKafka.endOffsets(Topics.REQUESTS);
        badRequests().forEach(arguments -> {
            Object[] a = arguments.get();
            given().contentType((String) a[0]).body((String) a[1]).when().post("/v1/generations")
                    .then().statusCode(400);
        });
        assertThat(send(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"p\"}")).statusCode()).isEqualTo(400);

        String marker = given().contentType(JSON).body("{\"prompt\":\"marker after the bad ones\"}")
                .when().post("/v1/generations").then().statusCode(202).extract().path("id");
        List<ConsumerRecord<String, byte[]>> published = TestKafka.readUntil(Topics.REQUESTS, before,
                r -> marker.equals(r.key()), Duration.ofSeconds(30));
        assertThat(published).extracting(ConsumerRecord::key).containsExactly(marker);
    }

    private static void assertProblem(JsonPath problem, List<String> fields) {
        assertThat(problem.getInt("status")).isEqualTo(400);
        assertThat(problem.getString("type")).isEqualTo("urn:sdqueue:problem:invalid-request");
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("instance")).isEqualTo("/v1/generations");
        // Exactly these fields; one field may have several messages (e.g. width: too wide and too many pixels).
        assertThat(problem.getList("errors.field", String.class)).containsOnlyElementsOf(fields).containsAll(fields);
        assertThat(problem.getList("errors.message", String.class)).allSatisfy(m -> assertThat(m).isNotBlank());
        assertThat(problem.getString("detail")).contains(fields);
    }

    private static HttpResponse<String> send(HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/generations"))
                .POST(body).build(); // java.net.http sends no Content-Type unless told to
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
