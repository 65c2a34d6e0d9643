package dev.sdqueue.worker.messaging;

import dev.sdqueue.schema.GenerationEvent;

/** Publishes job events to {@code sdq.generation.events}, keyed by job id so a job's events stay in order. */
public interface EventPublisher {

    /** Sends and waits for the broker's acknowledgement: used for events a job's outcome depends on. */
    void publish(GenerationEvent event);

    /** Sends without waiting: progress is best effort and must not slow the denoising loop. */
    void publishAsync(GenerationEvent event);
}
