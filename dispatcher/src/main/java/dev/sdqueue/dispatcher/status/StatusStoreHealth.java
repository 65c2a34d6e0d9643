package dev.sdqueue.dispatcher.status;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Health of the job-status store: ready once Kafka Streams is RUNNING (and through later rebalances), not ready
 * before, nor in ERROR / PENDING_SHUTDOWN / NOT_RUNNING; not alive in ERROR or after a refused start.
 */
public final class StatusStoreHealth {
    static final String NAME = "status-store";

    private StatusStoreHealth() {
    }

    @Readiness
    @ApplicationScoped
    public static class Running implements HealthCheck {
        @Inject
        StatusStoreState state;
        @Inject
        StatusLookup lookup;

        @Override
        public HealthCheckResponse call() {
            return describe(HealthCheckResponse.named(NAME).status(state.ready()), state)
                    .withData("jobs", lookup.localJobs())
                    .build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {
        @Inject
        StatusStoreState state;

        @Override
        public HealthCheckResponse call() {
            return describe(HealthCheckResponse.named(NAME).status(state.alive()), state).build();
        }
    }

    private static HealthCheckResponseBuilder describe(HealthCheckResponseBuilder builder, StatusStoreState state) {
        builder.withData("state", state.state().name());
        if (state.failure() != null) {
            builder.withData("failure", state.failure());
        }
        return builder;
    }
}
