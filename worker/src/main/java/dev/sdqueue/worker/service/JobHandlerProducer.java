package dev.sdqueue.worker.service;

import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.messaging.EventPublisher;
import dev.sdqueue.worker.messaging.WorkerIdentity;
import dev.sdqueue.worker.storage.ImageStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the job handler from configuration, so the handler itself stays a plain class. */
final class JobHandlerProducer {

    @Produces
    @Singleton
    GenerationJobHandler handler(WorkerConfig config, ImageGenerator generator, ImageStore store,
                                 EventPublisher events, WorkerIdentity identity) {
        WorkerConfig.Limits l = config.limits();
        RequestLimits limits = new RequestLimits(l.maxPromptLength(), l.minSize(), l.maxWidth(), l.maxHeight(),
                l.maxPixels(), l.maxSteps(), l.minGuidance(), l.maxGuidance(), l.maxImages());
        // The scheduler default is null: the model's own scheduler_config.json decides.
        RequestDefaults defaults = new RequestDefaults(l.defaultWidth(), l.defaultHeight(), l.defaultSteps(),
                l.defaultGuidanceScale(), 1, null, config.model().name());
        return new GenerationJobHandler(generator, store, events, new RequestValidator(limits), defaults,
                identity.id(), config.pipeline().progressEvery(), Clock.systemUTC());
    }
}
