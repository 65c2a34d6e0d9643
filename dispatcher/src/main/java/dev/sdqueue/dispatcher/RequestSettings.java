package dev.sdqueue.dispatcher;

import dev.sdqueue.dispatcher.idempotency.IdempotentAcceptance;
import dev.sdqueue.dispatcher.status.StatusLookup;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.schema.Violation;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;

/** Turns {@code sdq.limits.*} / {@code sdq.defaults.*} into the schema's value types, checked at startup. */
@ApplicationScoped
public class RequestSettings {

    @Produces
    @Singleton
    RequestLimits limits(DispatcherConfig.Limits config) {
        return limitsOf(config);
    }

    @Produces
    @Singleton
    RequestDefaults defaults(DispatcherConfig.Defaults config, RequestLimits limits) {
        RequestDefaults defaults = defaultsOf(config);
        checkDefaultsWithinLimits(defaults, limits);
        return defaults;
    }

    @Produces
    @Singleton
    RequestValidator validator(RequestLimits limits) {
        return new RequestValidator(limits);
    }

    @Produces
    @Singleton
    RequestIntake intake(RequestValidator validator, RequestDefaults defaults, DispatcherConfig.Deadline deadline) {
        return new RequestIntake(validator, defaults, deadline.maxHorizon());
    }

    @Produces
    @Singleton
    IdempotentAcceptance idempotency(StatusLookup lookup, DispatcherConfig.Idempotency config) {
        return new IdempotentAcceptance(lookup::status, config.window());
    }

    /** A batch limit below 1 would reject every batch: fail the startup instead. */
    void checkMaxBatch(@Observes StartupEvent started, DispatcherConfig.Instance instance) {
        if (instance.maxBatch() < 1) {
            throw new IllegalStateException("sdq.dispatcher.max-batch must be at least 1, was " + instance.maxBatch());
        }
    }

    static RequestLimits limitsOf(DispatcherConfig.Limits c) {
        RequestLimits d = RequestLimits.DEFAULTS;
        return new RequestLimits(
                c.maxPromptLength().orElse(d.maxPromptLength()),
                c.minSize().orElse(d.minSize()),
                c.maxWidth().orElse(d.maxWidth()),
                c.maxHeight().orElse(d.maxHeight()),
                c.maxPixels().orElse(d.maxPixels()),
                c.maxSteps().orElse(d.maxSteps()),
                c.minGuidance().orElse(d.minGuidance()),
                c.maxGuidance().orElse(d.maxGuidance()),
                c.maxImages().orElse(d.maxImages()));
    }

    static RequestDefaults defaultsOf(DispatcherConfig.Defaults c) {
        RequestDefaults d = RequestDefaults.DEFAULTS;
        return new RequestDefaults(
                c.width().orElse(d.width()),
                c.height().orElse(d.height()),
                c.steps().orElse(d.steps()),
                c.guidanceScale().orElse(d.guidanceScale()),
                c.numImages().orElse(d.numImages()),
                c.scheduler().orElse(d.scheduler()),
                c.model().orElse(d.model()));
    }

    /** A default outside the limits would make every request that omits the field fail at the worker. */
    static void checkDefaultsWithinLimits(RequestDefaults defaults, RequestLimits limits) {
        GenerationRequested probe = defaults.applyTo(new GenerationRequested(null, "probe", null, null, null, null,
                null, null, null, null, null, null));
        List<Violation> violations = new RequestValidator(limits).validate(probe);
        if (!violations.isEmpty()) {
            throw new IllegalStateException("sdq.defaults.* violate sdq.limits.*: " + violations);
        }
    }
}
