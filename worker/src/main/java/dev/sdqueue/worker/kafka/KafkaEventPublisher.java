package dev.sdqueue.worker.kafka;

import dev.sdqueue.worker.job.EventPublisher;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    /**
     * Every event is serialised and handed to the producer on this one thread, in the order the callers asked: the
     * model's thread only enqueues (a progress event per denoising step costs it microseconds, not a JSON document,
     * a span and a producer call), and one job's events still reach the broker in order (same producer, same key).
     * Context.taskWrapping: each event continues the trace of the job that sent it.
     */
    private final ExecutorService sender = Context.taskWrapping(Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sdq-event-sender");
        thread.setDaemon(true);
        return thread;
    }));

    public KafkaEventPublisher(@Channel("generation-events") MutinyEmitter<byte[]> emitter, WorkerIdentity identity) {
        this.emitter = emitter;
        this.source = URI.create("/sdq/worker/" + identity.id());
    }

    @Override
    public void publish(GenerationEvent event) {
        try {
            publishAcknowledged(event).toCompletableFuture().get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing " + event.type(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the " + event.type() + " event was not acknowledged within "
                    + ACK_TIMEOUT.toSeconds() + " s", e);
        }
    }

    @Override
    public CompletionStage<Void> publishAcknowledged(GenerationEvent event) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        try {
            sender.execute(() -> emitter.sendMessage(message(event)).ifNoItem().after(ACK_TIMEOUT).fail()
                    .subscribe().with(acknowledged::complete, acknowledged::completeExceptionally));
        } catch (RejectedExecutionException e) {
            acknowledged.completeExceptionally(e);
        }
        return acknowledged;
    }

    @Override
    public void publishAsync(GenerationEvent event) {
        publishAcknowledged(event).whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.warnf("%s event of job %s not published: %s", event.type(), event.jobId(), failure.getMessage());
            }
        });
    }

    @PreDestroy
    void stop() {
        sender.shutdown();
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
