package dev.sdqueue.worker.job;

import java.time.Duration;

/** Time in each model stage of one job, as the generator measured it; {@code total} is the whole model run. */
public record ModelTimings(Duration tokenize, Duration textEncoder, Duration denoise, Duration unetStepAverage,
                           Duration vaeDecode, Duration total) {
    public static final ModelTimings ZERO = new ModelTimings(Duration.ZERO, Duration.ZERO, Duration.ZERO,
            Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /** Each model stage into {@code stages} (the step average is not a stage of its own). */
    void recordInto(StageRecorder stages) {
        stages.record(Stage.TOKENIZE, tokenize.toNanos());
        stages.record(Stage.TEXT_ENCODER, textEncoder.toNanos());
        stages.record(Stage.DENOISE, denoise.toNanos());
        stages.record(Stage.VAE_DECODE, vaeDecode.toNanos());
    }
}
