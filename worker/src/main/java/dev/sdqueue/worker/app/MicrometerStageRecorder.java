package dev.sdqueue.worker.app;

import dev.sdqueue.worker.job.Stage;
import dev.sdqueue.worker.job.StageRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per-stage job time as Prometheus {@code sdq_worker_stage_seconds_count/_sum/_max{stage="..."}}. Two scrapes at
 * saturation give the duty cycle (model stages' seconds over wall seconds) and the per-job breakdown; the load-tests
 * module's {@code ./sdq bench duty} reads them.
 */
@Singleton
public final class MicrometerStageRecorder implements StageRecorder {
    static final String METRIC = "sdq.worker.stage";

    private final MeterRegistry registry;
    private final Map<Stage, Timer> timers = new ConcurrentHashMap<>();

    public MicrometerStageRecorder(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void record(Stage stage, long nanos) {
        timers.computeIfAbsent(stage, key -> Timer.builder(METRIC).tag("stage", key.tag())
                .description("time per job in one stage of the worker").register(registry))
                .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }
}
