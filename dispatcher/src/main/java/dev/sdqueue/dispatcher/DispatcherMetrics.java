package dev.sdqueue.dispatcher;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/** Counters of POST outcomes: {@code sdq_generations_accepted_total}, {@code sdq_generations_rejected_total{reason}},
 * {@code sdq_generations_deduplicated_total}. */
@Startup // registered at boot, so the series exist (at 0) before the first request
@Singleton
public class DispatcherMetrics {
    private final Counter accepted;
    private final Counter invalid;
    private final Counter unavailable;
    private final Counter idempotencyConflict;
    private final Counter deduplicated;

    DispatcherMetrics(MeterRegistry registry) {
        accepted = Counter.builder("sdq.generations.accepted")
                .description("Generation requests acknowledged by Kafka and answered 202").register(registry);
        invalid = rejected(registry, "invalid");
        unavailable = rejected(registry, "unavailable");
        idempotencyConflict = rejected(registry, "idempotency_conflict");
        deduplicated = Counter.builder("sdq.generations.deduplicated")
                .description("Repeated Idempotency-Key requests answered with their earlier job (nothing published)")
                .register(registry);
    }

    private static Counter rejected(MeterRegistry registry, String reason) {
        return Counter.builder("sdq.generations.rejected").tag("reason", reason)
                .description("Generation requests not queued: invalid (answered 400), unavailable (Kafka did not "
                        + "acknowledge in time, or the history for an Idempotency-Key is not read yet: 503), "
                        + "idempotency_conflict (key reused for another request: 422, or in flight: 409)")
                .register(registry);
    }

    void accepted() {
        accepted.increment();
    }

    /** Jobs of one batch answer (the counters count jobs, not HTTP requests). */
    void accepted(int jobs) {
        accepted.increment(jobs);
    }

    void deduplicated(int jobs) {
        deduplicated.increment(jobs);
    }

    void invalid() {
        invalid.increment();
    }

    void unavailable() {
        unavailable.increment();
    }

    void idempotencyConflict() {
        idempotencyConflict.increment();
    }

    void deduplicated() {
        deduplicated.increment();
    }
}
