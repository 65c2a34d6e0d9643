package dev.sdqueue.worker.app;

import dev.sdqueue.worker.job.JobSupervisor;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** DOWN once the worker drains for shutdown: it takes no new job. */
@Readiness
@Singleton
public final class DrainReadiness implements HealthCheck {
    private final JobSupervisor supervisor;

    public DrainReadiness(JobSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("accepting-jobs").status(!supervisor.draining()).build();
    }
}
