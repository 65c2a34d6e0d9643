package dev.sdqueue.worker.job;

import dev.sdqueue.schema.GenerationEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Publishes job events to {@code sdq.generation.events}, keyed by job id so a job's events stay in order. */
public interface EventPublisher {

    /** Sends and waits for the broker's acknowledgement: used for events a job's outcome depends on. */
    void publish(GenerationEvent event);

    /**
     * Sends without waiting; the stage completes once the broker acknowledged (exceptionally if it did not). Lets a
     * caller overlap the round trip with other work and still know the event is stored before a later one depends
     * on it. The default waits here, for publishers without asynchronous acknowledgement.
     */
    default CompletionStage<Void> publishAcknowledged(GenerationEvent event) {
        try {
            publish(event);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Sends without waiting: progress is best effort and must not slow the denoising loop. */
    void publishAsync(GenerationEvent event);
}
