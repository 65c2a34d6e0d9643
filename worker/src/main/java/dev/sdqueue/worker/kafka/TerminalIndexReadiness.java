package dev.sdqueue.worker.kafka;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The terminal-state index's partition readers: DOWN while one has died (its jobs cannot be checked for duplicates
 * until a record of its partition starts it again). Nothing is loaded at startup, so there is nothing to wait for.
 */
@Readiness
@Singleton
public final class TerminalIndexReadiness implements HealthCheck {
    private final TerminalStateIndex index;

    public TerminalIndexReadiness(TerminalStateIndex index) {
        this.index = index;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("terminal-state-index").status(index.alive())
                .withData("finishedJobs", index.size()).withData("partitionsRead", index.partitionsRead()).build();
    }
}
