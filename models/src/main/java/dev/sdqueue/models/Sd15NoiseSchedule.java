package dev.sdqueue.models;

/**
 * Stable Diffusion 1.5's training noise schedule ({@code scaled_linear}, beta 0.00085..0.012, 1000 steps)
 * in float32 exactly as diffusers builds it with torch on CPU:
 * {@code alphas_cumprod = cumprod(1 - linspace(sqrt(b0), sqrt(b1), 1000, float32)**2)}. The colour-oracle
 * UNet carries this table, so its noise level for a timestep is the one the schedulers use.
 */
public final class Sd15NoiseSchedule {

    public static final int TRAIN_TIMESTEPS = 1000;
    public static final double BETA_START = 0.00085;
    public static final double BETA_END = 0.012;

    private Sd15NoiseSchedule() {
    }

    /** alphas_cumprod[t], t = 0..999 (float32, as torch computes it). */
    public static float[] alphasCumprod() {
        float[] roots = torchLinspace((float) Math.sqrt(BETA_START), (float) Math.sqrt(BETA_END), TRAIN_TIMESTEPS);
        float[] out = new float[TRAIN_TIMESTEPS];
        // torch.cumprod on a float32 CPU tensor accumulates in double and rounds each output to float.
        double product = 1.0;
        for (int i = 0; i < TRAIN_TIMESTEPS; i++) {
            float beta = roots[i] * roots[i];
            product *= 1f - beta;
            out[i] = (float) product;
        }
        return out;
    }

    /**
     * torch.linspace(start, end, steps, dtype=float32) as its vectorised CPU kernel computes it: blocks of
     * 16 as two 8-lane vectors {@code base + k*step} (fused multiply-add), the first half counted from
     * {@code start} and the second half back from {@code end}, the tail element by element. A naive
     * linspace differs from torch's by up to 1 ulp in a third of the entries.
     */
    static float[] torchLinspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (steps - 1);
        int halfway = steps / 2;
        int i = 0;
        for (; i + 16 <= steps; i += 16) {
            for (int lane = i; lane < i + 16; lane += 8) {
                float base = lane < halfway ? Math.fma(step, (float) lane, start)
                        : Math.fma(-step, (float) (steps - lane - 1), end);
                for (int k = 0; k < 8; k++) {
                    out[lane + k] = Math.fma(step, (float) k, base);
                }
            }
        }
        for (; i < steps; i++) {
            out[i] = i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - i - 1), end);
        }
        return out;
    }
}
