package dev.sdqueue.worker.kafka;

import static dev.sdqueue.worker.kafka.KafkaTestClient.deadLetter;
import static dev.sdqueue.worker.kafka.KafkaTestClient.eventsUntilTerminal;
import static dev.sdqueue.worker.kafka.KafkaTestClient.header;
import static dev.sdqueue.worker.kafka.KafkaTestClient.keyed;
import static dev.sdqueue.worker.kafka.KafkaTestClient.newJobId;
import static dev.sdqueue.worker.kafka.KafkaTestClient.onPartition0;
import static dev.sdqueue.worker.kafka.KafkaTestClient.send;
import static dev.sdqueue.worker.kafka.KafkaTestClient.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A worker whose model is not named tiny-random ({@code sdq.model.name=sd15}, as the README's "Real weights" runs
 * it; the files are still the generated tiny-random model): a request without {@code model} means "this worker's
 * model" and completes; one naming another model, including the tiny-random the dispatcher used to stamp on every
 * request, fails as invalid and is dead-lettered. Real broker, S3Proxy and ORT sessions.
 */
@QuarkusTest
@TestProfile(ModelNameTest.Sd15.class)
@WithTestResource(value = WorkerStackResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ModelNameTest {

    /** The worker serves its model under the name sd15. */
    public static final class Sd15 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sdq.model.name", "sd15");
        }
    }

    @Test
    void aRequestWithoutModelRunsOnTheWorkersModel() throws Exception {
        String jobId = newJobId();
        send(onPartition0(jobId, utf8(("{\"jobId\":\"%s\",\"prompt\":\"a small red cube\",\"width\":64,\"height\":64,"
                + "\"steps\":2,\"guidanceScale\":1.0,\"seed\":11}").formatted(jobId))));

        List<GenerationEvent> events = eventsUntilTerminal(jobId);

        assertThat(events.get(events.size() - 1)).as("events %s", events)
                .isInstanceOfSatisfying(GenerationEvent.Completed.class,
                        completed -> assertThat(completed.images()).hasSize(1));
        assertThat(KafkaTestClient.readToEnd(Topics.DEAD_LETTER, keyed(jobId))).isEmpty();
    }

    @Test
    void aRequestNamingTheWorkersModelRuns() throws Exception {
        String jobId = newJobId();
        send(onPartition0(jobId, utf8(("{\"jobId\":\"%s\",\"prompt\":\"a small red cube\",\"width\":64,\"height\":64,"
                + "\"steps\":2,\"guidanceScale\":1.0,\"seed\":11,\"model\":\"sd15\"}").formatted(jobId))));

        List<GenerationEvent> events = eventsUntilTerminal(jobId);

        assertThat(events.get(events.size() - 1)).as("events %s", events).isInstanceOf(GenerationEvent.Completed.class);
    }

    @Test
    void aRequestNamingAnotherModelIsFailedAsInvalidAndDeadLettered() throws Exception {
        for (String other : List.of("other", "tiny-random")) {
            String jobId = newJobId();
            byte[] request = utf8(("{\"jobId\":\"%s\",\"prompt\":\"a small red cube\",\"width\":64,\"height\":64,"
                    + "\"steps\":2,\"model\":\"%s\"}").formatted(jobId, other));
            send(onPartition0(jobId, request));

            List<GenerationEvent> events = eventsUntilTerminal(jobId);
            ConsumerRecord<byte[], byte[]> dead = deadLetter(jobId);

            assertThat(events).as(other).singleElement().isInstanceOfSatisfying(GenerationEvent.Failed.class,
                    failed -> {
                        assertThat(failed.reason()).isEqualTo("invalid");
                        assertThat(failed.retriable()).isFalse();
                        assertThat(failed.message()).contains("this worker serves 'sd15', not '" + other + "'");
                    });
            assertThat(header(dead, Headers.DLQ_REASON)).isEqualTo("invalid");
            assertThat(header(dead, Headers.DLQ_MESSAGE)).contains("model").contains("'" + other + "'");
            assertThat(dead.value()).isEqualTo(request);
        }
    }
}
