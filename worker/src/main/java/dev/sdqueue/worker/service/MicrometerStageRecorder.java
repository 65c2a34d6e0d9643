package dev.sdqueue.worker.service;

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
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public MicrometerStageRecorder(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void record(String stage, long nanos) {
        timers.computeIfAbsent(stage, name -> Timer.builder(METRIC).tag("stage", name)
                .description("time per job in one stage of the worker").register(registry))
                .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }
}
