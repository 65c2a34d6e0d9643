package dev.sdqueue.worker.kafka;

import static dev.sdqueue.worker.kafka.KafkaTestClient.allEvents;
import static dev.sdqueue.worker.kafka.KafkaTestClient.eventsUntilTerminal;
import static dev.sdqueue.worker.kafka.KafkaTestClient.keyed;
import static dev.sdqueue.worker.kafka.KafkaTestClient.newJobId;
import static dev.sdqueue.worker.kafka.KafkaTestClient.onPartition0;
import static dev.sdqueue.worker.kafka.KafkaTestClient.send;
import static dev.sdqueue.worker.kafka.KafkaTestClient.terminalCount;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A job's PNG, upload and {@code completed} run on a finishing thread while the model takes the next job
 * ({@code sdq.worker.finishing-jobs}, 2 by default): with S3 hanging (the {@link TcpGate} holds every request), the
 * second job of a partition starts while the first one is still uploading, and both still end exactly once.
 */
@QuarkusTest
@WithTestResource(value = WorkerStackResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class FinishingOverlapTest {

    @AfterEach
    void releaseS3() {
        WorkerStackResource.s3Gate.release();
    }

    @Test
    void theNextJobRunsOnTheModelWhileThePreviousOneUploads() throws Exception {
        String first = newJobId();
        String second = newJobId();
        WorkerStackResource.s3Gate.hold();
        send(onPartition0(first, EventJson.toBytes(KafkaTestClient.validRequest(first))));
        send(onPartition0(second, EventJson.toBytes(KafkaTestClient.validRequest(second))));

        // The second job's model run (all its progress events) happens while the first one's upload hangs.
        KafkaTestClient.read(Topics.EVENTS, keyed(second), found -> found.stream().map(KafkaTestClient::event)
                .anyMatch(e -> e instanceof GenerationEvent.Progress p && p.step() == p.totalSteps()));
        List<GenerationEvent> firstSoFar = allEvents(first);
        WorkerStackResource.s3Gate.release();
        List<GenerationEvent> firstEvents = eventsUntilTerminal(first);
        List<GenerationEvent> secondEvents = eventsUntilTerminal(second);

        assertThat(firstSoFar).extracting(GenerationEvent::type).contains("started").doesNotContain("completed");
        assertThat(firstEvents.get(firstEvents.size() - 1)).isInstanceOf(GenerationEvent.Completed.class);
        assertThat(secondEvents.get(secondEvents.size() - 1)).isInstanceOf(GenerationEvent.Completed.class);
        KafkaTestClient.flushPartition0();
        assertThat(terminalCount(allEvents(first))).isEqualTo(1);
        assertThat(terminalCount(allEvents(second))).isEqualTo(1);
    }
}
