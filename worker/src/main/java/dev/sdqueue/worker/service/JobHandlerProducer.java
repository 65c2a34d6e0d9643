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
    GenerationJobHandler handler(WorkerConfig.Limits l, WorkerConfig.Defaults d, WorkerConfig.Model model,
                                 WorkerConfig.Pipeline pipeline, ImageGenerator generator, ImageStore store,
                                 EventPublisher events, WorkerIdentity identity) {
        RequestLimits limits = new RequestLimits(l.maxPromptLength(), l.minSize(), l.maxWidth(), l.maxHeight(),
                l.maxPixels(), l.maxSteps(), l.minGuidance(), l.maxGuidance(), l.maxImages());
        // The scheduler default is null: the model's own scheduler_config.json decides.
        RequestDefaults defaults = new RequestDefaults(d.width(), d.height(), d.steps(), d.guidanceScale(),
                d.numImages(), null, model.name());
        return new GenerationJobHandler(generator, store, events, new RequestValidator(limits), defaults,
                identity.id(), pipeline.progressEvery(), Clock.systemUTC());
    }
}
