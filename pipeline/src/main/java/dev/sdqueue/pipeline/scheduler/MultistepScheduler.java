package dev.sdqueue.pipeline.scheduler;

import java.util.Map;

/**
 * Base of DPM-Solver multistep and UniPC: integer timesteps from num_inference_steps + 1 points,
 * sigmas interpolated (or Karras), a final sigma, and a ring of converted model outputs.
 * Model input is not scaled and the initial noise sigma is 1 (variance-preserving formulation).
 */
abstract class MultistepScheduler extends AbstractScheduler {

    protected float[] sigmas = new float[0];
    protected final int solverOrder;
    /** Converted model outputs, history[solverOrder-1] the newest. */
    protected final float[][] history;
    protected int lowerOrderNums;
    private final float[] trainSigmas;

    MultistepScheduler(String name, SchedulerConfig modelConfig, Map<String, Object> classDefaults) {
        super(name, modelConfig, classDefaults);
        if (config.bool("rescale_betas_zero_snr", false)) {
            schedule.alphasCumprod[schedule.size() - 1] = (float) Math.pow(2, -24);
        }
        this.trainSigmas = schedule.trainSigmas();
        this.solverOrder = config.integer("solver_order", 2);
        if (solverOrder < 1) {
            throw unsupported("solver_order " + solverOrder);
        }
        this.history = new float[solverOrder][];
        String finalType = config.string("final_sigmas_type", "zero");
        if (!finalType.equals("zero") && !finalType.equals("sigma_min")) {
            throw unsupported("final_sigmas_type '" + finalType + "'");
        }
        for (String key : new String[] {"use_exponential_sigmas", "use_beta_sigmas", "use_flow_sigmas", "use_lu_lambdas"}) {
            if (config.bool(key, false)) {
                throw unsupported(key + "=true");
            }
        }
    }

    /** The last train timestep (exclusive) the schedule may start from; DPM-Solver clips by lambda. */
    protected int lastTimestep() {
        return config.integer("num_train_timesteps", 1000);
    }

    @Override
    protected void computeTimesteps(int steps) {
        int train = config.integer("num_train_timesteps", 1000);
        int last = lastTimestep();
        String spacing = config.string("timestep_spacing", "linspace");
        int[] ts;
        switch (spacing) {
            case "linspace" -> {
                double[] lin = ScheduleMath.linspace(0, last - 1, steps + 1);
                ts = new int[steps];
                for (int i = 0; i < steps; i++) {
                    ts[i] = (int) ScheduleMath.round(lin[steps - i]);
                }
            }
            case "leading" -> {
                int ratio = last / (steps + 1);
                int offset = config.integer("steps_offset", 0);
                ts = new int[steps];
                for (int i = 0; i < steps; i++) {
                    ts[i] = (steps - i) * ratio + offset;
                }
            }
            case "trailing" -> {
                double[] a = ScheduleMath.arange(last, 0, -((double) train / steps));
                ts = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    ts[i] = (int) ScheduleMath.round(a[i]) - 1;
                }
            }
            default -> throw ScheduleMath.unsupportedSpacing(spacing);
        }
        boolean sigmaMinFinal = config.string("final_sigmas_type", "zero").equals("sigma_min");
        double[] s = new double[ts.length];
        float finalSigma;
        if (config.bool("use_karras_sigmas", false)) {
            float[] logSigmas = ScheduleMath.logF(trainSigmas);
            // In diffusers the Karras range is the (flipped) train table: sigma(T-1) down to sigma(0).
            s = ScheduleMath.karras(trainSigmas[0], trainSigmas[trainSigmas.length - 1], steps);
            ts = new int[steps];
            for (int i = 0; i < steps; i++) {
                ts[i] = (int) ScheduleMath.round(ScheduleMath.sigmaToT(s[i], logSigmas));
            }
            finalSigma = sigmaMinFinal ? (float) s[steps - 1] : 0f;
        } else {
            for (int i = 0; i < ts.length; i++) {
                s[i] = ScheduleMath.interp(ts[i], trainSigmas);
            }
            finalSigma = sigmaMinFinal ? trainSigmas[0] : 0f;
        }
        sigmas = new float[ts.length + 1];
        for (int i = 0; i < ts.length; i++) {
            sigmas[i] = (float) s[i];
        }
        sigmas[ts.length] = finalSigma;
        timesteps = new float[ts.length];
        for (int i = 0; i < ts.length; i++) {
            timesteps[i] = ts[i];
        }
        lowerOrderNums = 0;
        resetHistory();
    }

    protected void resetHistory() {
    }

    /** The inference sigma table (one per step plus the final sigma). */
    public final float[] sigmas() {
        return sigmas.clone();
    }

    /** Shifts the history and copies {@code converted} in as the newest entry; returns that slot. */
    protected final float[] pushHistory(float[] converted) {
        float[] slot = sized(history[0], converted.length);
        System.arraycopy(history, 1, history, 0, solverOrder - 1);
        history[solverOrder - 1] = slot;
        System.arraycopy(converted, 0, slot, 0, converted.length);
        return slot;
    }

    /** history[-k] in Python terms (k=1 newest). */
    protected final float[] recent(int k) {
        return history[solverOrder - k];
    }

    /**
     * The model output converted to the solver's variable: x0 ({@code toX0}, data prediction) or epsilon, for every
     * prediction type; {@code x} is the sample at noise level {@code sigma}.
     */
    protected final void convertModelOutput(float[] m, float[] x, double sigma, boolean toX0, float[] out) {
        double a = alpha(sigma);
        double s = sigma * a;
        for (int i = 0; i < out.length; i++) {
            double v = switch (predictionType) {
                case "epsilon" -> toX0 ? (x[i] - s * m[i]) / a : m[i];
                case "sample" -> toX0 ? m[i] : (x[i] - a * m[i]) / s;
                default -> toX0 ? a * x[i] - s * m[i] : a * m[i] + s * x[i]; // v_prediction
            };
            out[i] = (float) v;
        }
    }

    static double alpha(double sigma) {
        return 1 / Math.sqrt(sigma * sigma + 1);
    }

    static double lambda(double sigma) {
        double a = alpha(sigma);
        return Math.log(a) - Math.log(sigma * a);
    }

    protected final float trainSigma(int t) {
        return trainSigmas[t];
    }
}
