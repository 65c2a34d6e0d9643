package dev.sdqueue.pipeline;

import dev.sdqueue.pipeline.scheduler.NoiseSource;
import dev.sdqueue.pipeline.scheduler.Scheduler;

/**
 * The denoising state of one batch of images and the body of one step, on primitive arrays that
 * are allocated once per batch and reused by every step:
 * <pre>
 *   modelInput = scale_model_input(latents)        [images] or, with guidance, [uncond; cond] = [latents; latents]
 *   prediction = unet(modelInput, t)                 one call for the whole batch
 *   guided     = u + g * (c - u)                     (guidance only; else the prediction itself)
 *   latents    = scheduler.step(guided, latents)     in place
 * </pre>
 * Each image draws its initial latents and any ancestral noise from its own {@link GaussianNoise}
 * stream (seed + index), and every operation is element-wise per image, so an image comes out the
 * same whichever batch it was denoised in. Not thread-safe: one instance per batch.
 */
public final class DenoiseLoop {

    /** The UNet as the loop sees it: {@code prediction = unet(modelInput, timestep)} for the whole batch. */
    @FunctionalInterface
    public interface NoisePredictor {
        void predict(float[] modelInput, float timestep, float[] prediction);
    }

    private final Scheduler scheduler;
    private final int images;
    private final int perImage;
    private final boolean guidance;
    private final float guidanceScale;
    private final float[] latents;
    private final float[] modelInput;
    private final float[] prediction;
    private final float[] guided;
    private final GaussianNoise[] noise;
    private final NoiseSource noiseSource;

    /**
     * @param scheduler     a scheduler after {@code setTimesteps}, used by this batch only
     * @param firstSeed     seed of image 0 of this batch; image i uses {@code firstSeed + i}
     * @param images        images in this batch
     * @param perImage      latent floats per image (4 * h/8 * w/8)
     * @param guidanceScale classifier-free guidance; {@code <= 1} runs the conditional half only
     */
    public DenoiseLoop(Scheduler scheduler, long firstSeed, int images, int perImage, double guidanceScale) {
        if (images < 1 || perImage < 1) {
            throw new IllegalArgumentException("images and perImage must be >= 1, got " + images + ", " + perImage);
        }
        if ((long) images * perImage * (guidanceScale > 1.0 ? 2 : 1) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch too large: " + images + " images of " + perImage + " latents");
        }
        this.scheduler = scheduler;
        this.images = images;
        this.perImage = perImage;
        this.guidance = guidanceScale > 1.0;
        this.guidanceScale = (float) guidanceScale;
        this.latents = new float[images * perImage];
        this.modelInput = new float[unetBatch() * perImage];
        this.prediction = new float[unetBatch() * perImage];
        this.guided = guidance ? new float[images * perImage] : prediction;
        this.noise = new GaussianNoise[images];
        for (int i = 0; i < images; i++) {
            noise[i] = new GaussianNoise(firstSeed + i);
        }
        this.noiseSource = dest -> {
            for (int i = 0; i < images; i++) {
                noise[i].fill(dest, i * perImage, perImage);
            }
        };
        reset();
    }

    /** Rows of the UNet batch: two per image with guidance ([uncond; cond]), else one. */
    public int unetBatch() {
        return guidance ? 2 * images : images;
    }

    public int images() {
        return images;
    }

    /** UNet evaluations of a full run (the scheduler's step count). */
    public int numSteps() {
        return scheduler.numSteps();
    }

    /** The current latents [images, 4, h/8, w/8]; after the last step, the denoised latents. */
    public float[] latents() {
        return latents;
    }

    /**
     * Initial latents: each image's N(0,1) draws times the scheduler's initial noise sigma. Called
     * by the constructor; calling it again (with a fresh {@code setTimesteps}) restarts the run,
     * though the noise streams continue rather than rewind.
     */
    public void reset() {
        noiseSource.fill(latents);
        float sigma = scheduler.initNoiseSigma();
        for (int i = 0; i < latents.length; i++) {
            latents[i] *= sigma;
        }
    }

    /** Step {@code k} (steps run in order 0, 1, ...): model input, one UNet call, guidance, scheduler update. */
    public void step(int k, NoisePredictor unet) {
        scheduler.scaleModelInput(latents, k, modelInput);
        int half = images * perImage;
        if (guidance) {
            // [uncond; cond]: the same latents twice, unconditional half first.
            System.arraycopy(modelInput, 0, modelInput, half, half);
        }
        unet.predict(modelInput, scheduler.timestep(k), prediction);
        if (guidance) {
            float g = guidanceScale;
            for (int i = 0; i < half; i++) {
                float u = prediction[i];
                guided[i] = u + g * (prediction[half + i] - u);
            }
        }
        scheduler.step(guided, k, latents, latents, noiseSource);
    }
}
