package dev.sdqueue.dispatcher.status;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health of the status view: ready once caught up with the topics, alive while its consumer thread runs. */
public final class StatusViewHealth {
    private StatusViewHealth() {
    }

    @Readiness
    @ApplicationScoped
    public static class CaughtUp implements HealthCheck {
        @Inject
        StatusFeedService service;
        @Inject
        JobStatusView view;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("status-view")
                    .status(service.caughtUp())
                    .withData("jobs", view.size())
                    .withData("records", service.appliedRecords())
                    .build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class FeedRunning implements HealthCheck {
        @Inject
        StatusFeedService service;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("status-feed").status(service.alive()).build();
        }
    }
}
