package dev.sdqueue.worker.kafka;

import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.job.JobRunner;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The adapter's plain classes, built from configuration. */
final class KafkaBeans {

    @Produces
    @Singleton
    RequestDecoder decoder(WorkerConfig.Worker worker) {
        return new RequestDecoder(worker.maxRequestBytes());
    }

    @Produces
    @Singleton
    RecordActions actions(DeadLetterPublisher deadLetters, JobRunner runner, WorkerConfig.Worker worker) {
        return new RecordActions(deadLetters, runner.terminalEvents(), worker.retryBackoff());
    }
}
