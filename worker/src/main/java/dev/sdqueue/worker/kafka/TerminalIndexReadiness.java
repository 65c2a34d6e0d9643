package dev.sdqueue.worker.kafka;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the terminal-state index has loaded the event topic (jobs cannot be checked for duplicates before). */
@Readiness
@Singleton
public final class TerminalIndexReadiness implements HealthCheck {
    private final TerminalStateIndex index;

    public TerminalIndexReadiness(TerminalStateIndex index) {
        this.index = index;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("terminal-state-index").status(index.caughtUp() && index.alive())
                .withData("finishedJobs", index.size()).build();
    }
}
