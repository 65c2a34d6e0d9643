package dev.sdqueue.pipeline.scheduler;

/**
 * A diffusion sampler shaped like a diffusers scheduler, on flat float arrays (any batch of
 * latents, C order). Usage, as the Stable Diffusion pipelines loop:
 * <pre>
 *   s.setTimesteps(steps);
 *   x *= s.initNoiseSigma();
 *   for (int i = 0; i &lt; s.numSteps(); i++) {
 *       s.scaleModelInput(x, i, xIn);
 *       eps = unet(xIn, s.timestep(i));
 *       s.step(eps, i, x, x, noise);     // prev_sample written into a reused buffer (may alias x)
 *   }
 * </pre>
 * Instances are stateful (multistep history) and not thread-safe: one per generation.
 * Steps must be taken in order 0, 1, 2, ... after {@link #setTimesteps}.
 */
public interface Scheduler {

    /** Short name used in requests, e.g. "euler_a". */
    String name();

    /** The diffusers class this reproduces, e.g. "EulerAncestralDiscreteScheduler". */
    String className();

    /** The effective configuration: class defaults overridden by the model's scheduler_config.json. */
    SchedulerConfig config();

    /** Builds the timestep/sigma tables for {@code numInferenceSteps} and resets all step state. */
    void setTimesteps(int numInferenceSteps);

    /** Number of UNet evaluations: usually the inference steps (PNDM with skip_prk_steps has one more). */
    int numSteps();

    /** Timesteps in order, as the UNet receives them (integral for discrete schedulers). */
    float[] timesteps();

    /** Timestep of step {@code stepIndex}. */
    float timestep(int stepIndex);

    /** Whether the timesteps are integers (else fractional, e.g. Euler's interpolated timesteps). */
    boolean integerTimesteps();

    /** Standard deviation of the initial noise: scale N(0,1) latents by this before step 0. */
    float initNoiseSigma();

    /** Writes scale_model_input(sample) for {@code stepIndex} into {@code out} (may be {@code sample}). */
    void scaleModelInput(float[] sample, int stepIndex, float[] out);

    /** In-place {@link #scaleModelInput(float[], int, float[])}. */
    default void scaleModelInput(float[] sample, int stepIndex) {
        scaleModelInput(sample, stepIndex, sample);
    }

    /**
     * One denoising step: writes prev_sample into {@code prevSample}, which may be the same array
     * as {@code sample}. {@code noise} is only used by stochastic schedulers.
     */
    void step(float[] modelOutput, int stepIndex, float[] sample, float[] prevSample, NoiseSource noise);

    /** Deterministic step (no noise source); stochastic schedulers throw if they need noise. */
    default void step(float[] modelOutput, int stepIndex, float[] sample, float[] prevSample) {
        step(modelOutput, stepIndex, sample, prevSample, NoiseSource.NONE);
    }

    /**
     * The scheduler's estimate of the clean sample from the last step (diffusers'
     * {@code pred_original_sample} / LCM's {@code denoised}), or null if it has none.
     * An internal buffer, overwritten by the next step.
     */
    default float[] lastDenoised() {
        return null;
    }
}
