package dev.sdqueue.pipeline.scheduler;

import java.util.LinkedHashMap;
import java.util.Map;

/** diffusers {@code DDIMScheduler} (Song et al. 2020); eta and use_clipped_model_output via step kwargs. */
final class DdimScheduler extends AbstractScheduler {

    static final Map<String, Object> DEFAULTS = defaults();

    private final double eta;
    private final boolean useClippedModelOutput;
    private final boolean clipSample;
    private final double clipRange;
    private final float finalAlphaCumprod;
    private int stepRatio;
    private float[] noiseBuffer;
    private float[] denoised;

    public DdimScheduler(SchedulerConfig modelConfig) {
        this(modelConfig, 0.0, false);
    }

    /** @param eta 0 = deterministic DDIM, 1 = DDPM-like ancestral noise */
    public DdimScheduler(SchedulerConfig modelConfig, double eta, boolean useClippedModelOutput) {
        super("ddim", modelConfig, DEFAULTS);
        this.eta = eta;
        this.useClippedModelOutput = useClippedModelOutput;
        this.clipSample = config.bool("clip_sample", true);
        this.clipRange = config.number("clip_sample_range", 1.0);
        this.finalAlphaCumprod = config.bool("set_alpha_to_one", true) ? 1f : schedule.alphasCumprod[0];
        Predictions.check(this, predictionType);
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>(Defaults.betas(0.0001, 0.02, "linear"));
        d.put("clip_sample", true);
        d.put("set_alpha_to_one", true);
        d.put("steps_offset", 0);
        d.put("prediction_type", "epsilon");
        d.put("thresholding", false);
        d.put("dynamic_thresholding_ratio", 0.995);
        d.put("clip_sample_range", 1.0);
        d.put("sample_max_value", 1.0);
        d.put("timestep_spacing", "leading");
        d.put("rescale_betas_zero_snr", false);
        return java.util.Collections.unmodifiableMap(d);
    }

    @Override
    public String className() {
        return "DDIMScheduler";
    }

    @Override
    protected void computeTimesteps(int steps) {
        int train = config.integer("num_train_timesteps", 1000);
        int[] ts = ScheduleMath.discreteTimesteps(config.string("timestep_spacing", "leading"), train, steps,
                config.integer("steps_offset", 0));
        timesteps = new float[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = ts[i];
        }
        // diffusers steps back by train//steps whatever the spacing.
        stepRatio = train / steps;
    }

    @Override
    protected void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prev, NoiseSource noise) {
        int t = (int) timesteps[stepIndex];
        int prevT = t - stepRatio;
        double alphaProd = acp(t);
        double alphaProdPrev = prevT >= 0 ? acp(prevT) : finalAlphaCumprod;
        double betaProd = 1 - alphaProd;
        double variance = ((1 - alphaProdPrev) / betaProd) * (1 - alphaProd / alphaProdPrev);
        double stdDev = eta * Math.sqrt(variance);
        double sqrtA = Math.sqrt(alphaProd);
        double sqrtB = Math.sqrt(betaProd);
        double sqrtAPrev = Math.sqrt(alphaProdPrev);
        double dirCoeff = Math.sqrt(Math.max(0, 1 - alphaProdPrev - stdDev * stdDev));
        if (eta > 0) {
            noiseBuffer = sized(noiseBuffer, sample.length);
            noise.fill(noiseBuffer);
        }
        denoised = sized(denoised, sample.length);
        for (int i = 0; i < sample.length; i++) {
            double x = sample[i];
            double m = modelOutput[i];
            double x0;
            double eps;
            switch (predictionType) {
                case "epsilon" -> {
                    x0 = (x - sqrtB * m) / sqrtA;
                    eps = m;
                }
                case "sample" -> {
                    x0 = m;
                    eps = (x - sqrtA * x0) / sqrtB;
                }
                default -> { // v_prediction
                    x0 = sqrtA * x - sqrtB * m;
                    eps = sqrtA * m + sqrtB * x;
                }
            }
            if (clipSample) {
                x0 = Math.max(-clipRange, Math.min(clipRange, x0));
            }
            if (useClippedModelOutput) {
                eps = (x - sqrtA * x0) / sqrtB;
            }
            double out = sqrtAPrev * x0 + dirCoeff * eps;
            if (eta > 0) {
                out += stdDev * noiseBuffer[i];
            }
            denoised[i] = (float) x0;
            prev[i] = (float) out;
        }
    }

    @Override
    public float[] lastDenoised() {
        return denoised;
    }
}
