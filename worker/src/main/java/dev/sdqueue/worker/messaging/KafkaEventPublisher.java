package dev.sdqueue.worker.messaging;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** Events as JSON with CloudEvents binary-mode headers ({@code ce_type} per event type). */
@Singleton
public final class KafkaEventPublisher implements EventPublisher {
    private static final Logger LOG = Logger.getLogger(KafkaEventPublisher.class);
    /** Bounded by the producer's delivery.timeout.ms; this only guards against a wedged client. */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);

    private final MutinyEmitter<byte[]> emitter;
    private final URI source;

    public KafkaEventPublisher(@Channel("generation-events") MutinyEmitter<byte[]> emitter, WorkerIdentity identity) {
        this.emitter = emitter;
        this.source = URI.create("/sdq/worker/" + identity.id());
    }

    @Override
    public void publish(GenerationEvent event) {
        emitter.sendMessage(message(event)).await().atMost(ACK_TIMEOUT);
    }

    @Override
    public CompletionStage<Void> publishAcknowledged(GenerationEvent event) {
        return emitter.sendMessage(message(event)).ifNoItem().after(ACK_TIMEOUT).fail().subscribeAsCompletionStage();
    }

    @Override
    public void publishAsync(GenerationEvent event) {
        emitter.sendMessage(message(event)).subscribe().with(ignored -> {
        }, failure -> LOG.warnf("progress event of job %s not published: %s", event.jobId(), failure.getMessage()));
    }

    private Message<byte[]> message(GenerationEvent event) {
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.jobId()).build();
        OutgoingCloudEventMetadata<Object> cloudEvent = OutgoingCloudEventMetadata.builder()
                .withId(UUID.randomUUID().toString())
                .withType(Headers.eventType(event.type()))
                .withSource(source)
                .withSubject(event.jobId())
                .withDataContentType(Headers.JSON)
                .withTimestamp(event.at().atZone(ZoneOffset.UTC))
                .build();
        return Message.of(EventJson.toBytes(event)).addMetadata(kafka).addMetadata(cloudEvent);
    }
}
