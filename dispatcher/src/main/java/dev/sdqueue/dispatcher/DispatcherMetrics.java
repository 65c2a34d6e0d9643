package dev.sdqueue.dispatcher;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/** Counters of POST outcomes: {@code sdq_generations_accepted_total}, {@code sdq_generations_rejected_total{reason}}. */
@Startup // registered at boot, so the series exist (at 0) before the first request
@Singleton
public class DispatcherMetrics {
    private final Counter accepted;
    private final Counter invalid;
    private final Counter unavailable;

    DispatcherMetrics(MeterRegistry registry) {
        accepted = Counter.builder("sdq.generations.accepted")
                .description("Generation requests acknowledged by Kafka and answered 202").register(registry);
        invalid = rejected(registry, "invalid");
        unavailable = rejected(registry, "unavailable");
    }

    private static Counter rejected(MeterRegistry registry, String reason) {
        return Counter.builder("sdq.generations.rejected").tag("reason", reason)
                .description("Generation requests not queued: invalid (answered 400) or unavailable (Kafka did not "
                        + "acknowledge in time, answered 503)").register(registry);
    }

    void accepted() {
        accepted.increment();
    }

    void invalid() {
        invalid.increment();
    }

    void unavailable() {
        unavailable.increment();
    }
}
