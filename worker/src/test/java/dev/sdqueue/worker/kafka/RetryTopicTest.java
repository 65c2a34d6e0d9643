package dev.sdqueue.worker.kafka;

import static dev.sdqueue.worker.kafka.KafkaTestClient.allEvents;
import static dev.sdqueue.worker.kafka.KafkaTestClient.deadLetter;
import static dev.sdqueue.worker.kafka.KafkaTestClient.eventsUntilTerminal;
import static dev.sdqueue.worker.kafka.KafkaTestClient.header;
import static dev.sdqueue.worker.kafka.KafkaTestClient.keyed;
import static dev.sdqueue.worker.kafka.KafkaTestClient.newJobId;
import static dev.sdqueue.worker.kafka.KafkaTestClient.onPartition0;
import static dev.sdqueue.worker.kafka.KafkaTestClient.send;
import static dev.sdqueue.worker.kafka.KafkaTestClient.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Transient failures go through the retry topics ({@link WorkerStackResource#RETRY_TOPICS}: 1 s, then 2 s, three
 * attempts in all) and only the last one is final; a request that can never succeed goes straight to the DLQ. S3 is
 * made unavailable by shutting the {@link TcpGate} in front of the real S3Proxy (connections refused).
 */
@QuarkusTest
@WithTestResource(value = WorkerStackResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RetryTopicTest {

    @AfterEach
    void reopenS3() throws Exception {
        WorkerStackResource.s3Gate.open();
    }

    @Test
    void aTransientS3FailureRetriesThroughTheRetryTopicAndSucceedsOnAttemptTwo() throws Exception {
        WorkerStackResource.s3Gate.shut();
        String jobId = newJobId();
        send(onPartition0(jobId, EventJson.toBytes(KafkaTestClient.validRequest(jobId))));

        ConsumerRecord<byte[], byte[]> retry = KafkaTestClient.read(WorkerStackResource.RETRY_TOPICS.get(0),
                keyed(jobId), found -> !found.isEmpty()).get(0);
        WorkerStackResource.s3Gate.open();
        List<GenerationEvent> events = eventsUntilTerminal(jobId);

        assertThat(header(retry, "delayed-retry-count")).isEqualTo("0");
        assertThat(header(retry, "delayed-retry-reason")).startsWith("storage_unavailable");
        assertThat(header(retry, "delayed-retry-topic")).isEqualTo(Topics.REQUESTS);
        assertThat(retry.value()).isEqualTo(EventJson.toBytes(KafkaTestClient.validRequest(jobId)));
        assertThat(events).filteredOn(e -> e instanceof GenerationEvent.Started)
                .extracting(GenerationEvent::attempt).containsExactly(1, 2);
        assertThat(events).extracting(GenerationEvent::type).doesNotContain("failed");
        GenerationEvent last = events.get(events.size() - 1);
        assertThat(last).isInstanceOf(GenerationEvent.Completed.class);
        assertThat(last.attempt()).isEqualTo(2);
    }

    @Test
    void aJobThatKeepsFailingEndsInTheDlqWithOneFinalFailedEvent() throws Exception {
        WorkerStackResource.s3Gate.shut();
        String jobId = newJobId();
        byte[] request = EventJson.toBytes(KafkaTestClient.validRequest(jobId));
        send(onPartition0(jobId, request));

        ConsumerRecord<byte[], byte[]> dead = deadLetter(jobId);
        WorkerStackResource.s3Gate.open();
        List<GenerationEvent> events = eventsUntilTerminal(jobId);
        KafkaTestClient.flushPartition0();

        assertThat(header(dead, Headers.DLQ_REASON)).isEqualTo("storage_unavailable");
        assertThat(header(dead, Headers.DLQ_MESSAGE)).contains("gave up after 3 attempt(s)");
        assertThat(header(dead, DeadLetterPublisher.ATTEMPTS)).isEqualTo("3");
        assertThat(header(dead, "dead-letter-topic")).isEqualTo(WorkerStackResource.RETRY_TOPICS.get(1));
        assertThat(header(dead, "delayed-retry-count")).isEqualTo("2");
        assertThat(dead.value()).isEqualTo(request);
        assertThat(events).filteredOn(e -> e instanceof GenerationEvent.Started)
                .extracting(GenerationEvent::attempt).containsExactly(1, 2, 3);
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(GenerationEvent.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("storage_unavailable");
            assertThat(failed.retriable()).isTrue();
            assertThat(failed.attempt()).isEqualTo(3);
        });
        assertThat(KafkaTestClient.terminalCount(allEvents(jobId))).isEqualTo(1);
    }

    @Test
    void aRequestTheModelCannotServeIsDeadLetteredOnceWithoutRetries() throws Exception {
        String jobId = newJobId();
        byte[] request = utf8("{\"jobId\":\"%s\",\"prompt\":\"p\",\"width\":100,\"scheduler\":\"k_dpm\"}"
                .formatted(jobId));
        send(onPartition0(jobId, request));

        List<GenerationEvent> events = eventsUntilTerminal(jobId);
        ConsumerRecord<byte[], byte[]> dead = deadLetter(jobId);
        KafkaTestClient.flushPartition0();

        assertThat(events).singleElement().isInstanceOfSatisfying(GenerationEvent.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("invalid");
            assertThat(failed.retriable()).isFalse();
        });
        assertThat(header(dead, Headers.DLQ_REASON)).isEqualTo("invalid");
        assertThat(header(dead, Headers.DLQ_MESSAGE)).contains("width").contains("scheduler");
        assertThat(dead.value()).isEqualTo(request);
        for (String retryTopic : WorkerStackResource.RETRY_TOPICS) {
            assertThat(KafkaTestClient.readToEnd(retryTopic, keyed(jobId))).isEmpty();
        }
    }
}
