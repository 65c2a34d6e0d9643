package dev.sdqueue.dispatcher.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

final class TestStatus {
    private TestStatus() {
    }

    /** Waits for /q/health/ready: producer reaches Kafka and the status store runs. */
    static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().when().get("/q/health/ready").statusCode() == 200);
    }
}
