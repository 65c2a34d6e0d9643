package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** sdq.status.ttl end to end: a job's status is gone (404) ttl after its latest update, with a changelog tombstone. */
@QuarkusTest
@WithTestResource(KafkaStackResource.class)
@TestProfile(StatusTtlTest.ShortTtl.class)
class StatusTtlTest {
    private static final String CHANGELOG = "sdq-dispatcher-status-job-status-changelog";

    public static final class ShortTtl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sdq.status.ttl", "PT3S", "sdq.status.ttl-scan-interval", "PT1S",
                    "sdq.idempotency.window", "PT2S");
        }
    }

    @Test
    void aJobsStatusIsGoneTtlAfterItsLatestUpdateAndTheChangelogForgetsIt() {
        TestStatus.awaitReady();
        long postedAt = System.currentTimeMillis();
        String id = given().contentType("application/json").body("{\"prompt\":\"short-lived\"}")
                .when().post("/v1/generations").then().statusCode(202).extract().path("id");
        given().when().get("/v1/generations/" + id).then().statusCode(200);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> given().when().get("/v1/generations/" + id).statusCode() == 404);
        assertThat(System.currentTimeMillis() - postedAt).as("kept for the TTL").isGreaterThanOrEqualTo(3_000);
        given().when().get("/v1/generations/" + id).then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("urn:sdqueue:problem:generation-not-found"));

        Map<TopicPartition, Long> beginning = TestKafka.endOffsets(CHANGELOG);
        beginning.replaceAll((partition, end) -> 0L);
        List<ConsumerRecord<String, byte[]>> changelog = TestKafka.readUntil(CHANGELOG, beginning,
                r -> id.equals(r.key()) && r.value() == null, Duration.ofSeconds(30));
        assertThat(changelog).filteredOn(r -> id.equals(r.key())).extracting(r -> r.value() != null)
                .as("the status was logged, then deleted").startsWith(true).endsWith(false);
    }
}
