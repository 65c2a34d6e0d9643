package dev.sdqueue.worker.generator;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded and warmed up; Kafka's own readiness checks are added by SmallRye. */
@Readiness
@Singleton
public final class ModelReadiness implements HealthCheck {
    private volatile String state = "not-loaded";
    private volatile String provider = "none";

    void loading() {
        state = "loading";
    }

    void ready(String activeProvider) {
        provider = activeProvider;
        state = "ready";
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model").status("ready".equals(state)).withData("state", state)
                .withData("provider", provider).build();
    }
}
