package dev.sdqueue.worker.kafka;

import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.job.JobRunner;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

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

    @Produces
    @Singleton
    TerminalStateIndex terminalStates(TopicLayout layout, WorkerConfig.Worker worker, WorkerIdentity identity,
                                      Clock clock) {
        // The follower drops the group, client id and (de)serializer keys of the shared connection settings.
        return new TerminalStateIndex(layout.connection(), "sdq-terminal-index-" + identity.id(),
                worker.idempotency(), layout::partitionOfJob, clock);
    }

    void close(@Disposes TerminalStateIndex index) {
        index.close();
    }
}
