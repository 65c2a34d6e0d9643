package dev.sdqueue.pipeline;

import dev.sdqueue.pipeline.scheduler.EulerDiscreteScheduler;
import dev.sdqueue.pipeline.scheduler.SchedulerConfig;
import dev.sdqueue.pipeline.scheduler.Schedulers;
import dev.sdqueue.pipeline.scheduler.Scheduler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The step body on a fake UNet: batch layout, guidance direction and per-image noise streams. */
class DenoiseLoopTest {

    private static final SchedulerConfig SD15 = SchedulerConfig.parse("""
            {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
             "beta_start": 0.00085, "num_train_timesteps": 1000, "set_alpha_to_one": false,
             "skip_prk_steps": true, "steps_offset": 1, "clip_sample": false}""");
    private static final int PER_IMAGE = 4 * 3 * 2;

    private static EulerDiscreteScheduler euler(int steps) {
        EulerDiscreteScheduler s = new EulerDiscreteScheduler(SD15);
        s.setTimesteps(steps);
        return s;
    }

    /** A UNet whose unconditional rows predict {@code u} and conditional rows {@code c}, recording what it saw. */
    private static final class FakeUnet implements DenoiseLoop.NoisePredictor {
        final float u;
        final float c;
        final int images;
        final List<float[]> inputs = new ArrayList<>();
        final List<Float> timesteps = new ArrayList<>();

        FakeUnet(float u, float c, int images) {
            this.u = u;
            this.c = c;
            this.images = images;
        }

        @Override
        public void predict(float[] modelInput, float timestep, float[] prediction) {
            inputs.add(modelInput.clone());
            timesteps.add(timestep);
            boolean guided = modelInput.length == 2 * images * PER_IMAGE;
            int half = images * PER_IMAGE;
            for (int i = 0; i < prediction.length; i++) {
                prediction[i] = guided && i < half ? u : c;
            }
        }
    }

    @Test
    void guidanceSendsUncondThenCondAndCombinesThemInThatOrder() {
        EulerDiscreteScheduler scheduler = euler(5);
        DenoiseLoop loop = new DenoiseLoop(scheduler, 11, 2, PER_IMAGE, 7.5);
        assertThat(loop.unetBatch()).isEqualTo(4);
        float[] before = loop.latents().clone();
        FakeUnet unet = new FakeUnet(0.1f, 0.3f, 2);

        loop.step(0, unet);

        float[] input = unet.inputs.get(0);
        assertThat(input).hasSize(4 * PER_IMAGE);
        float[] sigmas = scheduler.sigmas();
        float divisor = (float) Math.sqrt(sigmas[0] * sigmas[0] + 1f);
        for (int i = 0; i < 2 * PER_IMAGE; i++) {
            assertThat(input[i]).as("uncond row element %d is the scaled latent", i).isEqualTo(before[i] / divisor);
            assertThat(input[2 * PER_IMAGE + i]).as("cond row element %d repeats it", i).isEqualTo(input[i]);
        }
        assertThat(unet.timesteps).containsExactly(scheduler.timestep(0));
        // Euler with epsilon: x' = x + eps * (sigma1 - sigma0), eps = u + g (c - u) = 0.1 + 7.5 * 0.2 = 1.6.
        double eps = 0.1f + 7.5f * (0.3f - 0.1f);
        for (int i = 0; i < before.length; i++) {
            assertThat((double) loop.latents()[i]).isCloseTo(before[i] + eps * (sigmas[1] - sigmas[0]), within(1e-4));
        }
    }

    @Test
    void guidanceAtOrBelowOneRunsTheConditionalRowsOnly() {
        EulerDiscreteScheduler scheduler = euler(5);
        DenoiseLoop loop = new DenoiseLoop(scheduler, 11, 3, PER_IMAGE, 1.0);
        assertThat(loop.unetBatch()).isEqualTo(3);
        float[] before = loop.latents().clone();
        FakeUnet unet = new FakeUnet(0.1f, 0.3f, 3);

        loop.step(0, unet);

        assertThat(unet.inputs.get(0)).hasSize(3 * PER_IMAGE);
        float[] sigmas = scheduler.sigmas();
        for (int i = 0; i < before.length; i++) {
            assertThat((double) loop.latents()[i]).isCloseTo(before[i] + 0.3f * (sigmas[1] - sigmas[0]), within(1e-4));
        }
    }

    @Test
    void initialLatentsAreEachImagesOwnSeededNoiseTimesInitSigma() {
        Scheduler scheduler = euler(4);
        DenoiseLoop loop = new DenoiseLoop(scheduler, 40, 3, PER_IMAGE, 7.5);
        for (int i = 0; i < 3; i++) {
            float[] expected = new float[PER_IMAGE];
            new GaussianNoise(40 + i).fill(expected, 0, PER_IMAGE);
            for (int j = 0; j < PER_IMAGE; j++) {
                expected[j] *= scheduler.initNoiseSigma();
            }
            assertThat(Arrays.copyOfRange(loop.latents(), i * PER_IMAGE, (i + 1) * PER_IMAGE))
                    .as("image %d", i).containsExactly(expected);
        }
    }

    @Test
    void anImageEndsTheSameInAnyBatchEvenWithAncestralNoise() {
        // Image 1 of a batch starting at seed 7 against the same image run alone (seed 8), euler_a draws noise each step.
        float[] batched = run(Schedulers.create("euler_a", SD15), 7, 3);
        float[] alone = run(Schedulers.create("euler_a", SD15), 8, 1);
        assertThat(Arrays.copyOfRange(batched, PER_IMAGE, 2 * PER_IMAGE)).containsExactly(alone);
        assertThat(Arrays.copyOfRange(batched, 0, PER_IMAGE)).isNotEqualTo(alone);
    }

    /** Runs all steps with a UNet whose prediction depends on each row's input only (like a real one). */
    private static float[] run(Scheduler scheduler, long seed, int images) {
        scheduler.setTimesteps(6);
        DenoiseLoop loop = new DenoiseLoop(scheduler, seed, images, PER_IMAGE, 5.0);
        DenoiseLoop.NoisePredictor unet = (in, t, out) -> {
            int rows = in.length / PER_IMAGE;
            for (int r = 0; r < rows; r++) {
                float bias = r < rows / 2 ? 0.05f : -0.02f;
                for (int j = 0; j < PER_IMAGE; j++) {
                    int i = r * PER_IMAGE + j;
                    out[i] = 0.5f * in[i] + bias + t * 1e-4f;
                }
            }
        };
        for (int k = 0; k < loop.numSteps(); k++) {
            loop.step(k, unet);
        }
        return loop.latents().clone();
    }
}
