package dev.sdqueue.pipeline.scheduler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * diffusers {@code LMSDiscreteScheduler}: linear multistep over the last {@code order} (default 4)
 * derivatives, coefficients integrated over sigma. The integrand is a polynomial of degree < 4, so
 * Gauss-Legendre quadrature is exact where diffusers calls scipy's adaptive quad.
 */
final class LmsDiscreteScheduler extends SigmaScheduler {

    static final Map<String, Object> DEFAULTS = defaults();
    private static final double[] GL_NODES = {
        -0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526};
    private static final double[] GL_WEIGHTS = {
        0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538};

    private final int order;
    /** derivatives[0] is the oldest kept. */
    private final float[][] derivatives;
    private int derivativeCount;
    private final double[] coeffs;
    private float[] denoised;

    public LmsDiscreteScheduler(SchedulerConfig modelConfig) {
        this(modelConfig, 4);
    }

    public LmsDiscreteScheduler(SchedulerConfig modelConfig, int order) {
        super("lms", modelConfig, DEFAULTS);
        if (order < 1 || order > 4) {
            throw unsupported("order " + order + " (supported: 1..4)");
        }
        this.order = order;
        this.derivatives = new float[order][];
        this.coeffs = new double[order];
        Predictions.check(this, predictionType);
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>(Defaults.betas(0.0001, 0.02, "linear"));
        d.put("use_karras_sigmas", false);
        d.put("prediction_type", "epsilon");
        d.put("timestep_spacing", "linspace");
        d.put("steps_offset", 0);
        return Collections.unmodifiableMap(d);
    }

    @Override
    public String className() {
        return "LMSDiscreteScheduler";
    }

    @Override
    protected boolean karras() {
        return config.bool("use_karras_sigmas", false);
    }

    @Override
    protected void resetHistory() {
        derivativeCount = 0;
    }

    @Override
    protected void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prev, NoiseSource noise) {
        int n = sample.length;
        double sigma = sigmas[stepIndex];
        float[] slot = pushDerivativeSlot(n);
        denoised = sized(denoised, n);
        for (int i = 0; i < n; i++) {
            double x0 = predictX0(sample[i], modelOutput[i], sigma);
            denoised[i] = (float) x0;
            slot[i] = (float) ((sample[i] - x0) / sigma);
        }
        int currentOrder = Math.min(stepIndex + 1, order);
        for (int j = 0; j < currentOrder; j++) {
            coeffs[j] = lmsCoefficient(currentOrder, stepIndex, j);
        }
        for (int i = 0; i < n; i++) {
            double acc = sample[i];
            // coefficient j pairs with the j-th newest derivative.
            for (int j = 0; j < currentOrder; j++) {
                acc += coeffs[j] * derivatives[derivativeCount - 1 - j][i];
            }
            prev[i] = (float) acc;
        }
    }

    private float[] pushDerivativeSlot(int n) {
        float[] slot;
        if (derivativeCount < order) {
            slot = sized(derivatives[derivativeCount], n);
            derivatives[derivativeCount++] = slot;
        } else {
            slot = sized(derivatives[0], n);
            System.arraycopy(derivatives, 1, derivatives, 0, order - 1);
            derivatives[order - 1] = slot;
        }
        return slot;
    }

    /** Integral over [sigma_t, sigma_t+1] of the Lagrange basis polynomial for history point j. */
    private double lmsCoefficient(int currentOrder, int t, int j) {
        double a = sigmas[t];
        double b = sigmas[t + 1];
        double half = (b - a) / 2;
        double mid = (a + b) / 2;
        double sum = 0;
        for (int q = 0; q < GL_NODES.length; q++) {
            double tau = mid + half * GL_NODES[q];
            double prod = 1.0;
            for (int k = 0; k < currentOrder; k++) {
                if (k == j) {
                    continue;
                }
                prod *= (tau - sigmas[t - k]) / ((double) sigmas[t - j] - sigmas[t - k]);
            }
            sum += GL_WEIGHTS[q] * prod;
        }
        return sum * half;
    }

    @Override
    public float[] lastDenoised() {
        return denoised;
    }
}
