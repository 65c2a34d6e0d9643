package dev.sdqueue.pipeline.scheduler;

import java.util.Map;

/**
 * Base of the k-diffusion style schedulers (Euler, Euler ancestral, LMS): fractional timesteps,
 * a sigma per step (plus a final one), inputs scaled by 1/sqrt(sigma^2+1), initial noise scaled
 * by the largest sigma.
 */
abstract class SigmaScheduler extends AbstractScheduler {

    /** sigmas[i] for step i, plus the final sigma at index numSteps (float32 like diffusers). */
    protected float[] sigmas = new float[0];
    private final float[] trainSigmas;

    SigmaScheduler(String name, SchedulerConfig modelConfig, Map<String, Object> classDefaults) {
        super(name, modelConfig, classDefaults);
        if (config.bool("rescale_betas_zero_snr", false)) {
            // Close to 0 without being 0 so the first sigma is finite (diffusers uses fp16's 2^-24).
            schedule.alphasCumprod[schedule.size() - 1] = (float) Math.pow(2, -24);
        }
        this.trainSigmas = schedule.trainSigmas();
    }

    /** Whether Karras sigmas replace the interpolated ones. */
    protected abstract boolean karras();

    /** The sigma after the last step (0, or sigma_min for final_sigmas_type "sigma_min"). */
    protected float finalSigma() {
        return 0f;
    }

    /** Optional sigma_min/sigma_max overrides for the Karras schedule (NaN = from the table). */
    protected double karrasSigmaMin() {
        return Double.NaN;
    }

    protected double karrasSigmaMax() {
        return Double.NaN;
    }

    @Override
    protected void computeTimesteps(int steps) {
        int train = config.integer("num_train_timesteps", 1000);
        String spacing = config.string("timestep_spacing", "linspace");
        float[] ts = new float[steps];
        switch (spacing) {
            case "linspace" -> {
                double[] lin = ScheduleMath.linspace(0, train - 1, steps);
                for (int i = 0; i < steps; i++) {
                    ts[i] = (float) lin[steps - 1 - i];
                }
            }
            case "leading" -> {
                int ratio = train / steps;
                float offset = config.integer("steps_offset", 0);
                for (int i = 0; i < steps; i++) {
                    ts[i] = (float) ((steps - 1 - i) * ratio) + offset;
                }
            }
            case "trailing" -> {
                double[] a = ScheduleMath.arange(train, 0, -((double) train / steps));
                for (int i = 0; i < steps; i++) {
                    ts[i] = (float) ScheduleMath.round(a[i]) - 1f;
                }
            }
            default -> throw ScheduleMath.unsupportedSpacing(spacing);
        }
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) {
            s[i] = ScheduleMath.interp(ts[i], trainSigmas);
        }
        if (karras()) {
            float[] logSigmas = ScheduleMath.logF(trainSigmas);
            double min = Double.isNaN(karrasSigmaMin()) ? s[steps - 1] : karrasSigmaMin();
            double max = Double.isNaN(karrasSigmaMax()) ? s[0] : karrasSigmaMax();
            s = ScheduleMath.karras(min, max, steps);
            for (int i = 0; i < steps; i++) {
                ts[i] = (float) ScheduleMath.sigmaToT(s[i], logSigmas);
            }
        }
        sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++) {
            sigmas[i] = (float) s[i];
        }
        sigmas[steps] = finalSigma();
        timesteps = ts;
        resetHistory();
    }

    /** Clears multistep state after new timesteps. */
    protected void resetHistory() {
    }

    protected final float trainSigma(int t) {
        return trainSigmas[t];
    }

    /** The inference sigma table (one per step plus the final sigma). */
    public final float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public boolean integerTimesteps() {
        return false;
    }

    @Override
    public float initNoiseSigma() {
        float max = 0f;
        if (sigmas.length == 0) {
            for (float s : trainSigmas) {
                max = Math.max(max, s);
            }
        } else {
            for (float s : sigmas) {
                max = Math.max(max, s);
            }
        }
        String spacing = config.string("timestep_spacing", "linspace");
        if (spacing.equals("linspace") || spacing.equals("trailing")) {
            return max;
        }
        return (float) Math.sqrt(max * max + 1f);
    }

    @Override
    public void scaleModelInput(float[] sample, int stepIndex, float[] out) {
        requireTimesteps();
        float sigma = sigmas[stepIndex];
        // Float arithmetic on purpose: this is torch's float32 expression sample / (sigma**2 + 1) ** 0.5.
        float divisor = (float) Math.sqrt(sigma * sigma + 1f);
        for (int i = 0; i < sample.length; i++) {
            out[i] = sample[i] / divisor;
        }
    }

    /** x0 estimate from a model output at noise level sigma (epsilon / v_prediction / sample). */
    protected final double predictX0(double x, double m, double sigma) {
        return switch (predictionType) {
            case "epsilon" -> x - sigma * m;
            case "v_prediction" -> m * (-sigma / Math.sqrt(sigma * sigma + 1)) + x / (sigma * sigma + 1);
            default -> m; // "sample"
        };
    }
}
