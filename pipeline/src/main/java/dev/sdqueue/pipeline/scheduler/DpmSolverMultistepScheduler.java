package dev.sdqueue.pipeline.scheduler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * diffusers {@code DPMSolverMultistepScheduler} (Lu et al. 2022): DPM-Solver++ / DPM-Solver,
 * orders 1-3, midpoint or heun second-order updates, lower-order final steps. "DPM++ 2M" is
 * dpmsolver++ with solver_order 2; "Karras" adds use_karras_sigmas.
 */
final class DpmSolverMultistepScheduler extends MultistepScheduler {

    static final Map<String, Object> DEFAULTS = defaults();

    private final boolean dataPrediction;
    private final boolean midpoint;
    private float[] converted;

    public DpmSolverMultistepScheduler(SchedulerConfig modelConfig) {
        super(nameFor(modelConfig.resolve(DEFAULTS)), modelConfig, DEFAULTS);
        String algorithm = config.string("algorithm_type", "dpmsolver++");
        if (!algorithm.equals("dpmsolver++") && !algorithm.equals("dpmsolver")) {
            throw unsupported("algorithm_type '" + algorithm + "' (supported: dpmsolver++, dpmsolver)");
        }
        this.dataPrediction = algorithm.equals("dpmsolver++");
        String solverType = config.string("solver_type", "midpoint");
        if (!solverType.equals("midpoint") && !solverType.equals("heun")) {
            throw unsupported("solver_type '" + solverType + "' (supported: midpoint, heun)");
        }
        this.midpoint = solverType.equals("midpoint");
        if (solverOrder > 3) {
            throw unsupported("solver_order " + solverOrder + " (supported: 1..3)");
        }
        if (config.values().get("variance_type") != null) {
            throw unsupported("variance_type '" + config.values().get("variance_type") + "'");
        }
        if (!dataPrediction && config.string("final_sigmas_type", "zero").equals("zero")) {
            // diffusers refuses this combination too (the update divides by a zero sigma).
            throw unsupported("final_sigmas_type 'zero' with algorithm_type 'dpmsolver' (use sigma_min)");
        }
        Predictions.check(this, predictionType);
    }

    /** "dpmpp_2m" / "dpmpp_2m_karras" for the configurations those names stand for. */
    private static String nameFor(SchedulerConfig c) {
        boolean twoM = c.string("algorithm_type", "").equals("dpmsolver++") && c.integer("solver_order", 2) == 2;
        if (!twoM) {
            return "dpm_multistep";
        }
        return c.bool("use_karras_sigmas", false) ? "dpmpp_2m_karras" : "dpmpp_2m";
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>(Defaults.betas(0.0001, 0.02, "linear"));
        d.put("solver_order", 2);
        d.put("prediction_type", "epsilon");
        d.put("thresholding", false);
        d.put("dynamic_thresholding_ratio", 0.995);
        d.put("sample_max_value", 1.0);
        d.put("algorithm_type", "dpmsolver++");
        d.put("solver_type", "midpoint");
        d.put("lower_order_final", true);
        d.put("euler_at_final", false);
        d.put("use_karras_sigmas", false);
        d.put("use_lu_lambdas", false);
        d.put("final_sigmas_type", "zero");
        d.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        d.put("variance_type", null);
        d.put("timestep_spacing", "linspace");
        d.put("steps_offset", 0);
        d.put("rescale_betas_zero_snr", false);
        return Collections.unmodifiableMap(d);
    }

    @Override
    public String className() {
        return "DPMSolverMultistepScheduler";
    }

    /** N - searchsorted(flip(lambda_t), lambda_min_clipped): timesteps whose lambda is too small are cut. */
    @Override
    protected int lastTimestep() {
        int train = config.integer("num_train_timesteps", 1000);
        double clip = config.number("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        int below = 0;
        for (int t = 0; t < train; t++) {
            double a = acp(t);
            double lambdaT = Math.log(Math.sqrt(a)) - Math.log(Math.sqrt(1 - a));
            if (lambdaT < clip) {
                below++;
            }
        }
        return train - below;
    }

    @Override
    protected void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prev, NoiseSource noise) {
        int n = sample.length;
        int steps = timesteps.length;
        boolean lowerOrderFinalCfg = config.bool("lower_order_final", true);
        boolean lowerOrderFinal = stepIndex == steps - 1
                && (config.bool("euler_at_final", false) || (lowerOrderFinalCfg && steps < 15)
                || config.string("final_sigmas_type", "zero").equals("zero"));
        boolean lowerOrderSecond = stepIndex == steps - 2 && lowerOrderFinalCfg && steps < 15;

        converted = sized(converted, n);
        convertModelOutput(modelOutput, sample, sigmas[stepIndex], dataPrediction, converted);
        pushHistory(converted);

        if (solverOrder == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
            firstOrder(stepIndex, sample, prev);
        } else if (solverOrder == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
            secondOrder(stepIndex, sample, prev);
        } else {
            thirdOrder(stepIndex, sample, prev);
        }
        if (lowerOrderNums < solverOrder) {
            lowerOrderNums++;
        }
    }

    private void firstOrder(int k, float[] x, float[] prev) {
        double sT = sigmas[k + 1];
        double sS = sigmas[k];
        double alphaT = alpha(sT);
        double sigmaT = sT * alphaT;
        double alphaS = alpha(sS);
        double sigmaS = sS * alphaS;
        double h = lambda(sT) - lambda(sS);
        float[] m0 = recent(1);
        double cx;
        double cm;
        if (dataPrediction) {
            cx = sigmaT / sigmaS;
            cm = alphaT * (Math.exp(-h) - 1.0);
        } else {
            cx = alphaT / alphaS;
            cm = sigmaT * (Math.exp(h) - 1.0);
        }
        for (int i = 0; i < x.length; i++) {
            prev[i] = (float) (cx * x[i] - cm * m0[i]);
        }
    }

    private void secondOrder(int k, float[] x, float[] prev) {
        double sT = sigmas[k + 1];
        double s0 = sigmas[k];
        double s1 = sigmas[k - 1];
        double alphaT = alpha(sT);
        double sigmaT = sT * alphaT;
        double alpha0 = alpha(s0);
        double sigma0 = s0 * alpha0;
        double lambdaT = lambda(sT);
        double lambda0 = lambda(s0);
        double lambda1 = lambda(s1);
        double h = lambdaT - lambda0;
        double h0 = lambda0 - lambda1;
        double r0 = h0 / h;
        float[] m0 = recent(1);
        float[] m1 = recent(2);
        double cx;
        double c0;
        double c1;
        if (dataPrediction) {
            cx = sigmaT / sigma0;
            c0 = -(alphaT * (Math.exp(-h) - 1.0));
            c1 = midpoint ? -0.5 * (alphaT * (Math.exp(-h) - 1.0)) : alphaT * ((Math.exp(-h) - 1.0) / h + 1.0);
        } else {
            cx = alphaT / alpha0;
            c0 = -(sigmaT * (Math.exp(h) - 1.0));
            c1 = midpoint ? -0.5 * (sigmaT * (Math.exp(h) - 1.0)) : -(sigmaT * ((Math.exp(h) - 1.0) / h - 1.0));
        }
        for (int i = 0; i < x.length; i++) {
            double d0 = m0[i];
            double d1 = (1.0 / r0) * (m0[i] - (double) m1[i]);
            prev[i] = (float) (cx * x[i] + c0 * d0 + c1 * d1);
        }
    }

    private void thirdOrder(int k, float[] x, float[] prev) {
        double sT = sigmas[k + 1];
        double s0 = sigmas[k];
        double s1 = sigmas[k - 1];
        double s2 = sigmas[k - 2];
        double alphaT = alpha(sT);
        double sigmaT = sT * alphaT;
        double alpha0 = alpha(s0);
        double sigma0 = s0 * alpha0;
        double lambdaT = lambda(sT);
        double lambda0 = lambda(s0);
        double lambda1 = lambda(s1);
        double lambda2 = lambda(s2);
        double h = lambdaT - lambda0;
        double h0 = lambda0 - lambda1;
        double h1 = lambda1 - lambda2;
        double r0 = h0 / h;
        double r1 = h1 / h;
        float[] m0 = recent(1);
        float[] m1 = recent(2);
        float[] m2 = recent(3);
        double cx;
        double c0;
        double c1;
        double c2;
        if (dataPrediction) {
            cx = sigmaT / sigma0;
            c0 = -(alphaT * (Math.exp(-h) - 1.0));
            c1 = alphaT * ((Math.exp(-h) - 1.0) / h + 1.0);
            c2 = -(alphaT * ((Math.exp(-h) - 1.0 + h) / (h * h) - 0.5));
        } else {
            cx = alphaT / alpha0;
            c0 = -(sigmaT * (Math.exp(h) - 1.0));
            c1 = -(sigmaT * ((Math.exp(h) - 1.0) / h - 1.0));
            c2 = -(sigmaT * ((Math.exp(h) - 1.0 - h) / (h * h) - 0.5));
        }
        for (int i = 0; i < x.length; i++) {
            double d10 = (1.0 / r0) * (m0[i] - (double) m1[i]);
            double d11 = (1.0 / r1) * (m1[i] - (double) m2[i]);
            double d1 = d10 + (r0 / (r0 + r1)) * (d10 - d11);
            double d2 = (1.0 / (r0 + r1)) * (d10 - d11);
            prev[i] = (float) (cx * x[i] + c0 * m0[i] + c1 * d1 + c2 * d2);
        }
    }
}
