package dev.sdqueue.pipeline.scheduler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * diffusers {@code LCMScheduler} (Luo et al. 2023): one-step consistency estimates ("denoised"),
 * re-noised to the next timestep with fresh noise on every step but the last. Timesteps come from
 * the original_inference_steps training schedule (50 by default), not from timestep_spacing.
 */
final class LcmScheduler extends AbstractScheduler {

    static final Map<String, Object> DEFAULTS = defaults();
    private static final double SIGMA_DATA = 0.5;

    private final float finalAlphaCumprod;
    private final boolean clipSample;
    private final double clipRange;
    private float[] noiseBuffer;
    private float[] denoised;

    public LcmScheduler(SchedulerConfig modelConfig) {
        super("lcm", modelConfig, DEFAULTS);
        this.finalAlphaCumprod = config.bool("set_alpha_to_one", true) ? 1f : schedule.alphasCumprod[0];
        this.clipSample = config.bool("clip_sample", false);
        this.clipRange = config.number("clip_sample_range", 1.0);
        Predictions.check(this, predictionType);
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>(Defaults.betas(0.00085, 0.012, "scaled_linear"));
        d.put("original_inference_steps", 50);
        d.put("clip_sample", false);
        d.put("clip_sample_range", 1.0);
        d.put("set_alpha_to_one", true);
        d.put("steps_offset", 0);
        d.put("prediction_type", "epsilon");
        d.put("thresholding", false);
        d.put("dynamic_thresholding_ratio", 0.995);
        d.put("sample_max_value", 1.0);
        d.put("timestep_spacing", "leading");
        d.put("timestep_scaling", 10.0);
        d.put("rescale_betas_zero_snr", false);
        return Collections.unmodifiableMap(d);
    }

    @Override
    public String className() {
        return "LCMScheduler";
    }

    @Override
    protected void computeTimesteps(int steps) {
        int train = config.integer("num_train_timesteps", 1000);
        int original = config.integer("original_inference_steps", 50);
        if (original > train) {
            throw new IllegalArgumentException("original_inference_steps " + original
                    + " exceeds num_train_timesteps " + train);
        }
        if (steps > original) {
            throw new IllegalArgumentException("LCM supports at most original_inference_steps=" + original
                    + " inference steps, got " + steps);
        }
        int k = train / original;
        // LCM training schedule k-1, 2k-1, ..., original*k-1, descending.
        int[] origin = new int[original];
        for (int i = 0; i < original; i++) {
            origin[i] = (original - i) * k - 1;
        }
        double[] idx = new double[steps];
        for (int i = 0; i < steps; i++) {
            // np.linspace(0, len, num=steps, endpoint=False), floored
            idx[i] = Math.floor(i * ((double) original / steps));
        }
        timesteps = new float[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = origin[(int) idx[i]];
        }
    }

    @Override
    protected void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prev, NoiseSource noise) {
        int n = sample.length;
        int t = (int) timesteps[stepIndex];
        int prevT = stepIndex + 1 < timesteps.length ? (int) timesteps[stepIndex + 1] : t;
        double alphaProd = acp(t);
        double alphaProdPrev = prevT >= 0 ? acp(prevT) : finalAlphaCumprod;
        double sqrtA = Math.sqrt(alphaProd);
        double sqrtB = Math.sqrt(1 - alphaProd);
        double scaled = t * config.number("timestep_scaling", 10.0);
        double cSkip = SIGMA_DATA * SIGMA_DATA / (scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        double cOut = scaled / Math.sqrt(scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        boolean last = stepIndex == numInferenceSteps - 1;
        if (!last) {
            noiseBuffer = sized(noiseBuffer, n);
            noise.fill(noiseBuffer);
        }
        double sqrtAPrev = Math.sqrt(alphaProdPrev);
        double sqrtBPrev = Math.sqrt(1 - alphaProdPrev);
        denoised = sized(denoised, n);
        for (int i = 0; i < n; i++) {
            double x = sample[i];
            double m = modelOutput[i];
            double x0 = switch (predictionType) {
                case "epsilon" -> (x - sqrtB * m) / sqrtA;
                case "sample" -> m;
                default -> sqrtA * x - sqrtB * m; // v_prediction
            };
            if (clipSample) {
                x0 = Math.max(-clipRange, Math.min(clipRange, x0));
            }
            double d = cOut * x0 + cSkip * x;
            denoised[i] = (float) d;
            prev[i] = (float) (last ? d : sqrtAPrev * d + sqrtBPrev * noiseBuffer[i]);
        }
    }

    @Override
    public float[] lastDenoised() {
        return denoised;
    }
}
