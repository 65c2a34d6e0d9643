package dev.sdqueue.pipeline.scheduler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * diffusers {@code EulerDiscreteScheduler} (Karras et al. 2022, Algorithm 2) with the optional
 * churn step kwargs s_churn, s_tmin, s_tmax, s_noise (s_churn=0, the default, is deterministic).
 */
public final class EulerDiscreteScheduler extends SigmaScheduler {

    static final Map<String, Object> DEFAULTS = defaults();

    private final double sChurn;
    private final double sTmin;
    private final double sTmax;
    private final double sNoise;
    private float[] noiseBuffer;
    private float[] denoised;

    public EulerDiscreteScheduler(SchedulerConfig modelConfig) {
        this(modelConfig, 0.0, 0.0, Double.POSITIVE_INFINITY, 1.0);
    }

    public EulerDiscreteScheduler(SchedulerConfig modelConfig, double sChurn, double sTmin, double sTmax, double sNoise) {
        super("euler", modelConfig, DEFAULTS);
        this.sChurn = sChurn;
        this.sTmin = sTmin;
        this.sTmax = sTmax;
        this.sNoise = sNoise;
        Predictions.check(this, predictionType);
        if (!config.string("interpolation_type", "linear").equals("linear")) {
            throw unsupported("interpolation_type '" + config.string("interpolation_type", "") + "'");
        }
        if (!config.string("timestep_type", "discrete").equals("discrete")) {
            throw unsupported("timestep_type '" + config.string("timestep_type", "") + "'");
        }
        String finalType = config.string("final_sigmas_type", "zero");
        if (!finalType.equals("zero") && !finalType.equals("sigma_min")) {
            throw unsupported("final_sigmas_type '" + finalType + "'");
        }
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>(Defaults.betas(0.0001, 0.02, "linear"));
        d.put("prediction_type", "epsilon");
        d.put("interpolation_type", "linear");
        d.put("use_karras_sigmas", false);
        d.put("sigma_min", null);
        d.put("sigma_max", null);
        d.put("timestep_spacing", "linspace");
        d.put("timestep_type", "discrete");
        d.put("steps_offset", 0);
        d.put("rescale_betas_zero_snr", false);
        d.put("final_sigmas_type", "zero");
        return Collections.unmodifiableMap(d);
    }

    @Override
    public String className() {
        return "EulerDiscreteScheduler";
    }

    @Override
    protected boolean karras() {
        return config.bool("use_karras_sigmas", false);
    }

    @Override
    protected double karrasSigmaMin() {
        return config.number("sigma_min", Double.NaN);
    }

    @Override
    protected double karrasSigmaMax() {
        return config.number("sigma_max", Double.NaN);
    }

    @Override
    protected float finalSigma() {
        return config.string("final_sigmas_type", "zero").equals("sigma_min") ? trainSigma(0) : 0f;
    }

    @Override
    protected void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prev, NoiseSource noise) {
        double sigma = sigmas[stepIndex];
        double gamma = sTmin <= sigma && sigma <= sTmax
                ? Math.min(sChurn / (sigmas.length - 1), Math.sqrt(2) - 1) : 0.0;
        double sigmaHat = sigma * (gamma + 1);
        double churn = 0;
        if (gamma > 0) {
            noiseBuffer = sized(noiseBuffer, sample.length);
            noise.fill(noiseBuffer);
            churn = Math.sqrt(sigmaHat * sigmaHat - sigma * sigma) * sNoise;
        }
        double dt = sigmas[stepIndex + 1] - sigmaHat;
        denoised = sized(denoised, sample.length);
        for (int i = 0; i < sample.length; i++) {
            double x = sample[i];
            if (gamma > 0) {
                x += noiseBuffer[i] * churn;
            }
            // diffusers uses sigma_hat for epsilon and plain sigma for v_prediction.
            double x0 = predictionType.equals("epsilon") ? x - sigmaHat * modelOutput[i]
                    : predictX0(x, modelOutput[i], sigma);
            double derivative = (x - x0) / sigmaHat;
            denoised[i] = (float) x0;
            prev[i] = (float) (x + derivative * dt);
        }
    }

    @Override
    public float[] lastDenoised() {
        return denoised;
    }
}
