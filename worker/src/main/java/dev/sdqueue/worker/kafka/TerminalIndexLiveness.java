package dev.sdqueue.worker.kafka;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** DOWN if a reader thread of the index died: jobs of its partition could not be checked for duplicates. */
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
