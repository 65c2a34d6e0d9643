package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.Schedulers;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaStackResource.class)
class ObservabilityTest {
    @Inject
    RequestLimits limits;
    @Inject
    RequestDefaults defaults;
    @ConfigProperty(name = "mp.messaging.outgoing.generation-requests.topic")
    String channelTopic;

    @Test
    void openApiDescribesTheEndpoints() {
        JsonPath api = given().queryParam("format", "json").when().get("/q/openapi")
                .then().statusCode(200).extract().jsonPath();
        assertThat(api.getMap("paths")).containsKeys("/v1/generations", "/v1/generations/{id}")
                .as("replica-to-replica lookups are not public API").doesNotContainKey("/internal/v1/status/{id}");
        assertThat(api.getMap("paths.'/v1/generations'.post.responses")).containsKeys("202", "400", "409", "422",
                "503");
        assertThat(api.getList("paths.'/v1/generations'.post.parameters.findAll { it.in == 'header' }.name",
                String.class)).contains("Idempotency-Key");
        assertThat(api.getMap("components.schemas.GenerationRequest.properties")).containsKey("deadline");
        assertThat(api.getMap("paths.'/v1/generations/{id}'.get.responses")).containsKeys("200", "404");
        assertThat(api.getString("paths.'/v1/generations'.post.requestBody.content.'application/json'.schema.'$ref'"))
                .endsWith("/GenerationRequest");
        assertThat(api.getList("components.schemas.GenerationRequest.properties.scheduler.enum", String.class))
                .containsExactlyElementsOf(Schedulers.NAMES);
        assertThat(api.getList("components.schemas.GenerationRequest.required", String.class))
                .containsExactly("prompt");
        assertThat(api.getMap("components.schemas.GenerationStatus.properties"))
                .containsKeys("id", "status", "attempt", "worker", "progress", "images", "error", "request");
        assertThat(api.getMap("components.schemas.Problem.properties"))
                .containsKeys("type", "title", "status", "detail", "instance", "errors");
    }

    @Test
    void readyWhenKafkaAnswersAndTheStatusStoreRuns() {
        TestStatus.awaitReady();
        JsonPath health = given().when().get("/q/health/ready").then().statusCode(200).extract().jsonPath();
        assertThat(health.getList("checks.name", String.class)).contains("status-store");
        assertThat(health.getString("checks.find { it.name == 'status-store' }.status")).isEqualTo("UP");
        assertThat(health.getString("checks.find { it.name == 'status-store' }.data.state")).isEqualTo("RUNNING");
        JsonPath live = given().when().get("/q/health/live").then().statusCode(200).extract().jsonPath();
        assertThat(live.getString("checks.find { it.name == 'status-store' }.status")).isEqualTo("UP");
        assertThat(health.getString("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }"
                + ".data.generation-requests")).isEqualTo("[OK]");
    }

    @Test
    void countersOfAcceptedAndRejectedRequests() {
        double accepted = counter("sdq_generations_accepted_total(\\{[^}]*\\})?");
        double invalid = counter("sdq_generations_rejected_total\\{[^}]*reason=\"invalid\"[^}]*\\}");
        given().contentType("application/json").body("{\"prompt\":\"\"}").when().post("/v1/generations")
                .then().statusCode(400);
        given().contentType("application/json").body("{\"prompt\":\"counted\"}").when().post("/v1/generations")
                .then().statusCode(202);
        assertThat(counter("sdq_generations_accepted_total(\\{[^}]*\\})?")).isEqualTo(accepted + 1);
        assertThat(counter("sdq_generations_rejected_total\\{[^}]*reason=\"invalid\"[^}]*\\}"))
                .isEqualTo(invalid + 1);
        assertThat(given().when().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("sdq_status_jobs");
    }

    @Test
    void limitsAndDefaultsAreTheContractsUnlessConfigured() {
        assertThat(limits).isEqualTo(RequestLimits.DEFAULTS);
        assertThat(defaults).isEqualTo(RequestDefaults.DEFAULTS);
        assertThat(channelTopic).isEqualTo(Topics.REQUESTS);
    }

    private static double counter(String seriesRegex) {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + seriesRegex + " (?<value>[0-9.eE+-]+)( #.*)?$").matcher(metrics);
        assertThat(m.find()).as("series %s in /q/metrics:%n%s", seriesRegex, metrics.lines()
                .filter(line -> line.contains("sdq_")).collect(java.util.stream.Collectors.joining("\n"))).isTrue();
        return Double.parseDouble(m.group("value")); // a trailing "# {trace_id=...}" is an exemplar
    }
}
