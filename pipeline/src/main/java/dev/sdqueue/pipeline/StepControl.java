package dev.sdqueue.pipeline;

import java.time.Duration;

/**
 * Called on the generating thread after every denoising step, like a {@link StepListener}, and its answer decides
 * whether the run goes on: a host stops a job it no longer owns or that already ended elsewhere, and gets back a
 * {@link DecodedGeneration} that says so, rather than an exception thrown through the denoising loop.
 */
@FunctionalInterface
public interface StepControl {

    /** What the run does after a step. */
    enum Continuation {
        CONTINUE,
        /** Stop now: no further steps, no VAE decode; the result is {@link DecodedGeneration#stopped()}. */
        STOP
    }

    /**
     * @param step       1-based number of the step just finished
     * @param totalSteps UNet evaluations in this generation (PNDM does one more than requested)
     * @param took       duration of this step (UNet call plus scheduler update)
     */
    Continuation afterStep(int step, int totalSteps, Duration took);

    StepControl ALWAYS = (step, total, took) -> Continuation.CONTINUE;

    /** A control that only observes: runs {@code listener} and always continues. */
    static StepControl observing(StepListener listener) {
        return (step, total, took) -> {
            listener.onStep(step, total, took);
            return Continuation.CONTINUE;
        };
    }
}
