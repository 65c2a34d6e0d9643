package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** No broker at all: the dispatcher must say so (503 + Retry-After) within a bounded time, never accept silently. */
@QuarkusTest
@TestProfile(KafkaUnavailableTest.NoBroker.class)
class KafkaUnavailableTest {

    public static final class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String prefix = "mp.messaging.outgoing.generation-requests.";
            return Map.of(
                    "kafka.bootstrap.servers", "127.0.0.1:" + closedPort(),
                    prefix + "max.block.ms", "500",
                    prefix + "request.timeout.ms", "500",
                    prefix + "delivery.timeout.ms", "1000",
                    prefix + "health-topic-verification-timeout", "500",
                    "sdq.publish.ack-timeout", "8s",
                    "sdq.publish.retry-after", "7s");
        }

        /** A port nobody listens on: bound once to get a free number, then released. */
        private static int closedPort() {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void postIs503WithRetryAfterWithinTheConfiguredBound() {
        long begin = System.nanoTime();
        ExtractableResponse<Response> response = given().contentType("application/json")
                .body("{\"prompt\":\"nobody listens\"}")
                .when().post("/v1/generations")
                .then().statusCode(503).contentType("application/problem+json").extract();
        long millis = (System.nanoTime() - begin) / 1_000_000;
        assertThat(millis).as("answered by the producer's timeouts, not the 8 s safety net").isLessThan(6_000);
        assertThat(response.header("Retry-After")).isEqualTo("7");
        assertThat(response.<String>path("type")).isEqualTo("urn:sdqueue:problem:queue-unavailable");
        assertThat(response.<Integer>path("status")).isEqualTo(503);
        assertThat(response.<String>path("detail")).isNotBlank();
        assertThat(response.<String>path("id")).as("no job id handed out").isNull();
    }

    @Test
    void aBatchIs503WithRetryAfterToo() {
        ExtractableResponse<Response> response = given().contentType("application/json")
                .body("{\"requests\":[{\"prompt\":\"nobody\"},{\"prompt\":\"listens\"}]}")
                .when().post("/v1/generations/batch")
                .then().statusCode(503).contentType("application/problem+json").extract();
        assertThat(response.header("Retry-After")).isEqualTo("7");
        assertThat(response.<String>path("type")).isEqualTo("urn:sdqueue:problem:queue-unavailable");
        assertThat(response.<String>path("detail")).contains("0 of 2");
        assertThat(response.<Object>path("jobs")).as("no job ids handed out").isNull();
    }

    @Test
    void invalidRequestsAreStill400() {
        given().contentType("application/json").body("{\"steps\":0}").when().post("/v1/generations")
                .then().statusCode(400);
    }

    @Test
    void statusOfAnUnknownJobIs503WhileTheHistoryCannotBeRead() {
        given().when().get("/v1/generations/" + UUID.randomUUID())
                .then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "7");
    }

    @Test
    void notReady() {
        given().when().get("/q/health/ready").then().statusCode(503);
    }
}
