package dev.sdqueue.pipeline;

import java.time.Duration;

/**
 * Called on the generating thread after every denoising step, e.g. to show progress. An
 * exception thrown here aborts the generation (resources are released) and propagates to the caller; to stop a
 * run as a matter of course, use {@link StepControl}.
 */
@FunctionalInterface
public interface StepListener {

    /**
     * @param step       1-based number of the step just finished
     * @param totalSteps UNet evaluations in this generation (PNDM does one more than requested)
     * @param took       duration of this step (UNet call plus scheduler update)
     */
    void onStep(int step, int totalSteps, Duration took);

    StepListener NONE = (step, total, took) -> { };
}
