package dev.sdqueue.worker.service;

import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.messaging.EventPublisher;
import dev.sdqueue.worker.messaging.WorkerIdentity;
import dev.sdqueue.worker.storage.ImageStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.Executors;

/** Builds the job handler from configuration, so the handler itself stays a plain class. */
final class JobHandlerProducer {

    @Produces
    @Singleton
    GenerationJobHandler handler(WorkerConfig.Limits l, WorkerConfig.Defaults d, WorkerConfig.Model model,
                                 WorkerConfig.Pipeline pipeline, ImageGenerator generator, ImageStore store,
                                 EventPublisher events, TerminalStates terminals, WorkerIdentity identity,
                                 MicrometerStageRecorder stages) {
        return new GenerationJobHandler(generator, store, events, terminals, new RequestValidator(l.toRequestLimits()),
                d.toRequestDefaults(model.name()),
                identity.id(), pipeline.progressEvery(), pipeline.progressInterval(), Clock.systemUTC(), stages,
                Executors.newSingleThreadExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "sdq-admission");
                            thread.setDaemon(true); // only waits on the broker; nothing to finish at exit
                            return thread;
                        }));
    }
}
