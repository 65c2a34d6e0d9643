package dev.sdqueue.dispatcher;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes accepted requests to {@link Topics#REQUESTS} through SmallRye's Kafka connector, which writes the
 * CloudEvents binary-mode headers and, with quarkus-opentelemetry, the W3C {@code traceparent} of the HTTP request.
 * The returned Uni completes only when the broker acknowledged (acks=all, idempotent producer) and fails when the
 * producer gives up (max.block.ms / delivery.timeout.ms) or after {@code sdq.publish.ack-timeout}.
 */
@ApplicationScoped
public class RequestPublisher {
    static final String CHANNEL = "generation-requests";
    /** Informational, not part of the contract: the Idempotency-Key the job was accepted with. */
    public static final String IDEMPOTENCY_KEY_HEADER = "sdq-idempotency-key";

    @Inject
    @Channel(CHANNEL)
    MutinyEmitter<byte[]> emitter;
    @Inject
    InstanceIdentity instance;
    @Inject
    DispatcherConfig.Publish publish;

    public Uni<Void> publish(GenerationRequested request) {
        return publish(request, Optional.empty());
    }

    /** With the client's idempotency key, kept on the record (header {@value #IDEMPOTENCY_KEY_HEADER}) for audits. */
    public Uni<Void> publish(GenerationRequested request, Optional<String> idempotencyKey) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Headers.CONTENT_TYPE, Headers.JSON.getBytes(StandardCharsets.UTF_8));
        idempotencyKey.ifPresent(key -> headers.add(IDEMPOTENCY_KEY_HEADER, key.getBytes(StandardCharsets.UTF_8)));
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(Topics.REQUESTS)
                .withKey(request.jobId())
                .withHeaders(headers)
                .build();
        // No datacontenttype here: the connector would add a ce_datacontenttype header next to content-type,
        // which the Kafka binding of CloudEvents does not define for binary mode.
        OutgoingCloudEventMetadata<Object> cloudEvent = OutgoingCloudEventMetadata.builder()
                .withSpecVersion(Headers.CE_SPECVERSION_VALUE)
                .withId(UUID.randomUUID().toString())
                .withType(Headers.TYPE_REQUESTED)
                .withSource(instance.source())
                .withSubject(request.jobId())
                .withTimestamp(ZonedDateTime.now(ZoneOffset.UTC))
                .build();
        Message<byte[]> message = Message.of(EventJson.toBytes(request))
                .addMetadata(kafka)
                .addMetadata(cloudEvent)
                // The send may run on the connector's thread: hand it the HTTP request's trace context explicitly.
                .addMetadata(TracingMetadata.withCurrent(Context.current()));
        return Uni.createFrom().deferred(() -> emitter.sendMessage(message))
                .ifNoItem().after(publish.ackTimeout())
                .failWith(() -> new QueueUnavailableException("no acknowledgement from Kafka within "
                        + publish.ackTimeout().toMillis() + " ms"));
    }
}
