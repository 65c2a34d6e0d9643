package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import dev.sdqueue.worker.job.JobSupervisor;
import dev.sdqueue.worker.job.TerminalEvents;
import dev.sdqueue.worker.routing.RetrySchedule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Test;

/**
 * A bug in the adapter (here: the job queue throws) must not leave the record unacknowledged, which would hold back
 * its partition's commits until the consumer restarts (SmallRye's throttled strategy: 25 min, then liveness DOWN).
 * It is routed as a transient {@code internal_error}: written to the first retry topic, so it runs again and is
 * dead-lettered with its reason if it keeps failing.
 */
class UnexpectedFailureTest {

    @Test
    void anUnexpectedExceptionSendsTheRecordToTheFirstRetryTopicAndReleasesTheJob() {
        JobSupervisor supervisor = new JobSupervisor(Duration.ofSeconds(1), Duration.ofMinutes(10), Clock.systemUTC());
        RetrySchedule retries = RetrySchedule.of(List.of(Duration.ofSeconds(10), Duration.ofSeconds(60)),
                Duration.ofHours(1));
        // Only the retry path runs: no dead letter and no terminal event may be written.
        RecordActions actions = new RecordActions(null, new TerminalEvents(null, null, Clock.systemUTC()),
                Duration.ofMillis(10));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PartitionOwnership ownership = new PartitionOwnership();
        ownership.onPartitionsAssigned(null, List.of(new TopicPartition(Topics.REQUESTS, 0)));
        GenerationRequestConsumer consumer = new GenerationRequestConsumer(ticket -> {
            throw new IllegalStateException("a bug between the record and the model");
        }, supervisor, ownership, (jobId, recordTime) -> { }, new RequestDecoder(1 << 20), retries, actions,
                Clock.systemUTC(), registry);
        AtomicReference<String> retryTopic = new AtomicReference<>();
        AtomicReference<Throwable> reason = new AtomicReference<>();
        AtomicInteger acks = new AtomicInteger();

        consumer.consume(record(acks, retryTopic, reason)).toCompletableFuture().join();

        assertThat(retryTopic.get()).isEqualTo(Topics.retry(10_000));
        assertThat(reason.get()).hasMessageContaining("internal_error").hasMessageContaining("a bug between");
        assertThat(acks.get()).as("SmallRye acknowledges once the retry record is written, not the adapter").isZero();
        assertThat(supervisor.running()).as("the job's lease is released").isEmpty();
        assertThat(registry.get(GenerationRequestConsumer.JOBS_METRIC).tag("outcome", "transient").counter().count())
                .isEqualTo(1.0);
    }

    private static Message<byte[]> record(AtomicInteger acks, AtomicReference<String> retryTopic,
                                          AtomicReference<Throwable> reason) {
        GenerationRequested request = new GenerationRequested("job-1", "a cat", null, null, null, null, null, 1L, null,
                null, null, null);
        byte[] value = EventJson.toBytes(request);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(Topics.REQUESTS, 0, 42L,
                "job-1".getBytes(StandardCharsets.UTF_8), value);
        IncomingKafkaRecordMetadata<byte[], byte[]> kafka = new IncomingKafkaRecordMetadata<>(record,
                "generation-requests");
        return Message.of(value, Metadata.of(kafka), metadata -> {
            acks.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }, (failure, metadata) -> {
            Optional<OutgoingKafkaRecordMetadata> target = metadata.get(OutgoingKafkaRecordMetadata.class);
            retryTopic.set(target.map(OutgoingKafkaRecordMetadata::getTopic).orElse(null));
            reason.set(failure);
            return CompletableFuture.completedFuture(null);
        });
    }
}
