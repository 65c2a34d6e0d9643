package dev.sdqueue.pipeline.scheduler;

/**
 * The training noise schedule shared by all schedulers: betas and alphas_cumprod, in float32
 * exactly as diffusers computes them with torch on CPU (so timestep look-ups agree bit for bit).
 */
final class NoiseSchedule {

    final float[] betas;
    final float[] alphasCumprod;

    private NoiseSchedule(float[] betas, float[] alphasCumprod) {
        this.betas = betas;
        this.alphasCumprod = alphasCumprod;
    }

    /** Reads num_train_timesteps, beta_start/end, beta_schedule, trained_betas, rescale_betas_zero_snr. */
    static NoiseSchedule from(SchedulerConfig c) {
        int n = c.integer("num_train_timesteps", 1000);
        double[] trained = c.numbers("trained_betas");
        float[] betas;
        if (trained != null) {
            betas = new float[trained.length];
            for (int i = 0; i < betas.length; i++) {
                betas[i] = (float) trained[i];
            }
        } else {
            double start = c.number("beta_start", 0.0001);
            double end = c.number("beta_end", 0.02);
            String schedule = c.string("beta_schedule", "linear");
            betas = switch (schedule) {
                case "linear" -> torchLinspace(start, end, n);
                case "scaled_linear" -> {
                    float[] roots = torchLinspace(Math.sqrt(start), Math.sqrt(end), n);
                    for (int i = 0; i < n; i++) {
                        roots[i] = roots[i] * roots[i];
                    }
                    yield roots;
                }
                case "squaredcos_cap_v2" -> cosineBetas(n, 0.999);
                default -> throw new UnsupportedSchedulerException("unsupported beta_schedule '" + schedule
                        + "' (supported: linear, scaled_linear, squaredcos_cap_v2)");
            };
        }
        if (c.bool("rescale_betas_zero_snr", false)) {
            betas = rescaleZeroTerminalSnr(betas);
        }
        return new NoiseSchedule(betas, cumprod(betas));
    }

    int size() {
        return alphasCumprod.length;
    }

    /** sqrt((1 - acp) / acp) per train timestep, float32 like torch's tensor expression. */
    float[] trainSigmas() {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            float a = alphasCumprod[i];
            s[i] = (float) Math.sqrt((1f - a) / a);
        }
        return s;
    }

    /** torch.cumprod on float32 accumulates in double on CPU and rounds each output. */
    private static float[] cumprod(float[] betas) {
        float[] out = new float[betas.length];
        double acc = 1.0;
        for (int i = 0; i < betas.length; i++) {
            acc *= (1f - betas[i]);
            out[i] = (float) acc;
        }
        return out;
    }

    /**
     * torch.linspace(start, end, steps, dtype=float32) as its CPU kernel computes it (AVX2 build):
     * blocks of 16 as two 8-lane vectors {@code base + k*step} (fused multiply-add), the first half
     * counted from start and the second half back from end, the tail element by element. A plain
     * linspace differs from torch's by up to 1 ulp in ~30% of the entries.
     */
    static float[] torchLinspace(double startD, double endD, int steps) {
        float start = (float) startD;
        float end = (float) endD;
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

    /** diffusers' betas_for_alpha_bar with the cosine transform (computed in double, stored float32). */
    private static float[] cosineBetas(int n, double maxBeta) {
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), maxBeta);
        }
        return betas;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** diffusers' rescale_zero_terminal_snr (arXiv 2305.08891, Algorithm 1), in float32 like torch. */
    private static float[] rescaleZeroTerminalSnr(float[] betas) {
        float[] acp = cumprod(betas);
        int n = acp.length;
        float[] sqrtAcp = new float[n];
        for (int i = 0; i < n; i++) {
            sqrtAcp[i] = (float) Math.sqrt(acp[i]);
        }
        float first = sqrtAcp[0];
        float last = sqrtAcp[n - 1];
        float scale = first / (first - last);
        float[] alphasBar = new float[n];
        for (int i = 0; i < n; i++) {
            float shifted = (sqrtAcp[i] - last) * scale;
            alphasBar[i] = shifted * shifted;
        }
        float[] out = new float[n];
        out[0] = 1f - alphasBar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - alphasBar[i] / alphasBar[i - 1];
        }
        return out;
    }
}
