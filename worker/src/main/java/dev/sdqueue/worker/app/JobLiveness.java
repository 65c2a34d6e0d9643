package dev.sdqueue.worker.app;

import dev.sdqueue.worker.job.JobSupervisor;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * DOWN when the job in flight runs longer than twice {@code sdq.worker.max-job-duration}: it was told to stop at
 * the maximum and did not, so the worker is stuck (inside one model call or upload) and should be restarted; its
 * record is then redelivered. SmallRye adds its own Kafka liveness checks (e.g. a record unacknowledged longer than
 * {@code throttled.unprocessed-record-max-age.ms}).
 */
@Liveness
@Singleton
public final class JobLiveness implements HealthCheck {
    private final JobSupervisor supervisor;

    public JobLiveness(JobSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("job").status(supervisor.live())
                .withData("runningMs", supervisor.running().map(d -> d.toMillis()).orElse(0L))
                .build();
    }
}
