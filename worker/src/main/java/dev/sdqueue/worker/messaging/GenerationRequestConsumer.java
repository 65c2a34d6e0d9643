package dev.sdqueue.worker.messaging;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.worker.service.GenerationJobHandler;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Takes requests off {@code sdq.generation.requests}, one at a time per worker (one GPU), and hands them to the job
 * handler. The record is acknowledged after the handler returned, i.e. after the terminal event was acknowledged by
 * the broker: a crash before that redelivers the job.
 */
@Singleton
public final class GenerationRequestConsumer {
    private static final Logger LOG = Logger.getLogger(GenerationRequestConsumer.class);

    private final GenerationJobHandler handler;
    private final EventPublisher events;

    public GenerationRequestConsumer(GenerationJobHandler handler, EventPublisher events) {
        this.handler = handler;
        this.events = events;
    }

    @Incoming("generation-requests")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        GenerationRequested request;
        try {
            request = EventJson.fromBytes(record.value(), GenerationRequested.class);
        } catch (IOException | RuntimeException e) {
            rejectUnreadable(record, e.getMessage());
            return;
        }
        if (request == null || request.jobId() == null || request.jobId().isBlank()) {
            rejectUnreadable(record, "jobId is missing");
            return;
        }
        if (record.key() != null && !record.key().equals(request.jobId())) {
            LOG.warnf("record key %s differs from jobId %s; the jobId wins", record.key(), request.jobId());
        }
        handler.handle(request, 1);
    }

    /** A record that is not a request: tell its job (when the key names one) and move on. */
    private void rejectUnreadable(ConsumerRecord<String, byte[]> record, String why) {
        LOG.warnf("unreadable request at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), why);
        if (record.key() != null && !record.key().isBlank()) {
            events.publish(new GenerationEvent.Failed(record.key(), Instant.now(), 1, "malformed",
                    "the request is not a GenerationRequested JSON document: " + why, false));
        }
    }
}
