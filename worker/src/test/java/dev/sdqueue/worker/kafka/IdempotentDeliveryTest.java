package dev.sdqueue.worker.kafka;

import static dev.sdqueue.worker.kafka.KafkaTestClient.allEvents;
import static dev.sdqueue.worker.kafka.KafkaTestClient.keyed;
import static dev.sdqueue.worker.kafka.KafkaTestClient.newJobId;
import static dev.sdqueue.worker.kafka.KafkaTestClient.onPartition0;
import static dev.sdqueue.worker.kafka.KafkaTestClient.send;
import static dev.sdqueue.worker.kafka.KafkaTestClient.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A job delivered more than once ends once: the worker checks the terminal-state index (read from
 * {@code sdq.generation.events}, including other workers' events) before it runs a job and before it publishes a
 * terminal event. Deadlines: a job dequeued after its deadline fails {@code expired} without running.
 */
@QuarkusTest
@WithTestResource(value = WorkerStackResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class IdempotentDeliveryTest {

    @Test
    void theSameRequestDeliveredTwiceEndsWithExactlyOneTerminalEvent() throws Exception {
        String jobId = newJobId();
        byte[] request = EventJson.toBytes(KafkaTestClient.validRequest(jobId));
        send(onPartition0(jobId, request));
        send(onPartition0(jobId, request));
        KafkaTestClient.flushPartition0(); // both deliveries handled

        List<GenerationEvent> events = allEvents(jobId);

        assertThat(KafkaTestClient.terminalCount(events)).isEqualTo(1);
        assertThat(events).filteredOn(e -> e instanceof GenerationEvent.Started).hasSize(1);
        assertThat(events.get(events.size() - 1)).isInstanceOf(GenerationEvent.Completed.class);
    }

    @Test
    void aJobAnotherWorkerAlreadyFinishedIsNotRunAgain() throws Exception {
        String jobId = newJobId();
        GenerationEvent.Completed elsewhere = new GenerationEvent.Completed(jobId, Instant.now(), 1,
                List.of(new ImageRef("http://s3/x", "sdq-images", "generations/" + jobId + "/0.png", 64, 64, 11L,
                        "image/png")), Map.of(), "other-worker", "cpu", null);
        ProducerRecord<byte[], byte[]> event = new ProducerRecord<>(Topics.EVENTS, utf8(jobId),
                EventJson.toBytes(elsewhere));
        event.headers().add(Headers.CE_TYPE, utf8(Headers.eventType(GenerationEvent.COMPLETED)));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", WorkerStackResource.stack.bootstrapServers(), "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(event).get();
        }

        send(onPartition0(jobId, EventJson.toBytes(KafkaTestClient.validRequest(jobId))));
        KafkaTestClient.flushPartition0();

        assertThat(allEvents(jobId)).singleElement().isInstanceOfSatisfying(GenerationEvent.Completed.class,
                completed -> assertThat(completed.worker()).isEqualTo("other-worker"));
    }

    @Test
    void jobsThatEndedBeforeThisWorkerStartedAreNotRunAgain() throws Exception {
        // Regression: with a record on every events partition, the index once skipped all history at startup.
        for (String jobId : WorkerStackResource.FINISHED_BEFORE_START) {
            send(onPartition0(jobId, EventJson.toBytes(KafkaTestClient.validRequest(jobId))));
        }
        KafkaTestClient.flushPartition0();

        assertThat(WorkerStackResource.FINISHED_BEFORE_START).isNotEmpty().allSatisfy(jobId ->
                assertThat(allEvents(jobId)).singleElement().isInstanceOfSatisfying(GenerationEvent.Completed.class,
                        completed -> assertThat(completed.worker()).isEqualTo("history-worker")));
    }

    @Test
    void aRedeliveredRequestThatAlreadyFailedIsNeitherFailedNorDeadLetteredAgain() throws Exception {
        String jobId = newJobId();
        byte[] invalid = utf8("{\"jobId\":\"%s\",\"prompt\":\"p\",\"width\":100}".formatted(jobId));
        send(onPartition0(jobId, invalid));
        send(onPartition0(jobId, invalid));
        KafkaTestClient.flushPartition0();

        assertThat(allEvents(jobId)).singleElement().isInstanceOfSatisfying(GenerationEvent.Failed.class,
                failed -> assertThat(failed.reason()).isEqualTo("invalid"));
        assertThat(KafkaTestClient.readToEnd(Topics.DEAD_LETTER, keyed(jobId))).hasSize(1);
    }

    @Test
    void aJobDequeuedAfterItsDeadlineFailsExpiredWithoutRunningAndIsNotDeadLettered() throws Exception {
        String jobId = newJobId();
        GenerationRequested late = new GenerationRequested(jobId, "too late", null, 64, 64, 2, 1.0, 1L, null, null,
                null, Instant.now().minusSeconds(60), Instant.now().minusSeconds(1));
        send(onPartition0(jobId, EventJson.toBytes(late)));

        List<GenerationEvent> events = KafkaTestClient.eventsUntilTerminal(jobId);
        KafkaTestClient.flushPartition0();

        assertThat(events).singleElement().isInstanceOfSatisfying(GenerationEvent.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("expired");
            assertThat(failed.retriable()).isFalse();
            assertThat(failed.message()).contains("deadline");
        });
        assertThat(KafkaTestClient.readToEnd(Topics.DEAD_LETTER, keyed(jobId))).isEmpty();
        assertThat(allEvents(jobId)).hasSize(1);
    }
}
