package dev.sdqueue.worker.kafka;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** DOWN if the index's reader thread died: no job could be checked for duplicates any more. */
@Liveness
@Singleton
public final class TerminalIndexLiveness implements HealthCheck {
    private final TerminalStateIndex index;

    public TerminalIndexLiveness(TerminalStateIndex index) {
        this.index = index;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("terminal-state-index-reader").status(index.alive()).build();
    }
}
