package dev.sdqueue.pipeline.scheduler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * diffusers {@code UniPCMultistepScheduler} (Zhao et al. 2023): a UniP predictor and, from the
 * second step on, a UniC corrector that refines the current sample with the new model output.
 * B(h) variants bh1/bh2; predict_x0 true (data prediction, the default) or false.
 */
final class UniPcMultistepScheduler extends MultistepScheduler {

    static final Map<String, Object> DEFAULTS = defaults();

    private final boolean predictX0;
    private final boolean bh2;
    private final List<Integer> disableCorrector;
    private float[] converted;
    private float[] lastSample;
    private boolean hasLastSample;
    private int thisOrder;

    public UniPcMultistepScheduler(SchedulerConfig modelConfig) {
        super("unipc", modelConfig, DEFAULTS);
        this.predictX0 = config.bool("predict_x0", true);
        String solverType = config.string("solver_type", "bh2");
        switch (solverType) {
            case "bh1", "bh2" -> this.bh2 = solverType.equals("bh2");
            // diffusers maps DPM-Solver's solver types onto bh2.
            case "midpoint", "heun", "logrho" -> this.bh2 = true;
            default -> throw unsupported("solver_type '" + solverType + "' (supported: bh1, bh2)");
        }
        if (config.values().get("solver_p") != null) {
            throw unsupported("solver_p");
        }
        List<Integer> disabled = new ArrayList<>();
        Object list = config.values().get("disable_corrector");
        if (list instanceof List<?> l) {
            for (Object o : l) {
                disabled.add(((Number) o).intValue());
            }
        }
        this.disableCorrector = List.copyOf(disabled);
        Predictions.check(this, predictionType);
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>(Defaults.betas(0.0001, 0.02, "linear"));
        d.put("solver_order", 2);
        d.put("prediction_type", "epsilon");
        d.put("thresholding", false);
        d.put("dynamic_thresholding_ratio", 0.995);
        d.put("sample_max_value", 1.0);
        d.put("predict_x0", true);
        d.put("solver_type", "bh2");
        d.put("lower_order_final", true);
        d.put("disable_corrector", List.of());
        d.put("solver_p", null);
        d.put("use_karras_sigmas", false);
        d.put("timestep_spacing", "linspace");
        d.put("steps_offset", 0);
        d.put("final_sigmas_type", "zero");
        d.put("rescale_betas_zero_snr", false);
        return Collections.unmodifiableMap(d);
    }

    @Override
    public String className() {
        return "UniPCMultistepScheduler";
    }

    @Override
    protected void resetHistory() {
        hasLastSample = false;
        thisOrder = 0;
    }

    @Override
    protected void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prev, NoiseSource noise) {
        int n = sample.length;
        converted = sized(converted, n);
        convertModelOutput(modelOutput, sample, sigmas[stepIndex], predictX0, converted);
        boolean useCorrector = stepIndex > 0 && !disableCorrector.contains(stepIndex - 1) && hasLastSample;
        lastSample = sized(lastSample, n);
        if (useCorrector) {
            // UniC: corrected x_t from the previous sample, written over lastSample (read elementwise first).
            correct(converted, lastSample, sample, thisOrder, stepIndex, lastSample);
        } else {
            System.arraycopy(sample, 0, lastSample, 0, n);
        }
        pushHistory(converted);
        int order = config.bool("lower_order_final", true)
                ? Math.min(solverOrder, timesteps.length - stepIndex) : solverOrder;
        thisOrder = Math.min(order, lowerOrderNums + 1);
        hasLastSample = true;
        predict(lastSample, thisOrder, stepIndex, prev);
        if (lowerOrderNums < solverOrder) {
            lowerOrderNums++;
        }
    }

    /** UniP-B(h): x_t from x (at sigmas[k]) and the history, into out (may alias nothing it reads later). */
    private void predict(float[] x, int order, int k, float[] out) {
        double sT = sigmas[k + 1];
        double s0 = sigmas[k];
        Coefficients c = coefficients(sT, s0, k, order, 0);
        float[] m0 = recent(1);
        double[] rhos = null;
        if (order > 1) {
            rhos = order == 2 ? new double[] {0.5} : solve(c.r, c.b, order - 1);
        }
        for (int i = 0; i < x.length; i++) {
            double base = c.cx * x[i] - c.cm * m0[i];
            double res = 0;
            for (int j = 1; j < order; j++) {
                res += rhos[j - 1] * ((recent(j + 1)[i] - (double) m0[i]) / c.rks[j - 1]);
            }
            out[i] = (float) (base - c.scale * c.bh * res);
        }
    }

    /** UniC-B(h): corrects this sample using the new converted output {@code modelT}. */
    private void correct(float[] modelT, float[] last, float[] thisSample, int order, int k, float[] out) {
        double sT = sigmas[k];
        double s0 = sigmas[k - 1];
        Coefficients c = coefficients(sT, s0, k, order, 1);
        float[] m0 = recent(1);
        double[] rhos = order == 1 ? new double[] {0.5} : solve(c.r, c.b, order);
        for (int i = 0; i < last.length; i++) {
            double base = c.cx * last[i] - c.cm * m0[i];
            double res = 0;
            for (int j = 1; j < order; j++) {
                res += rhos[j - 1] * ((recent(j + 1)[i] - (double) m0[i]) / c.rks[j - 1]);
            }
            double d1t = modelT[i] - (double) m0[i];
            out[i] = (float) (base - c.scale * c.bh * (res + rhos[order - 1] * d1t));
        }
    }

    private record Coefficients(double cx, double cm, double scale, double bh, double[] rks, double[][] r, double[] b) {
    }

    /**
     * Shared scalar set-up of the predictor/corrector. History point i (1..order-1) sits at sigma
     * index k - i - shift (shift 1 for the corrector, whose "current" step is the previous one).
     */
    private Coefficients coefficients(double sT, double s0, int k, int order, int shift) {
        double alphaT = alpha(sT);
        double sigmaT = sT * alphaT;
        double alpha0 = alpha(s0);
        double sigma0 = s0 * alpha0;
        double lambdaT = lambda(sT);
        double lambda0 = lambda(s0);
        double h = lambdaT - lambda0;
        double[] rks = new double[order];
        for (int i = 1; i < order; i++) {
            double lambdaI = lambda(sigmas[k - i - shift]);
            rks[i - 1] = (lambdaI - lambda0) / h;
        }
        rks[order - 1] = 1.0;
        double hh = predictX0 ? -h : h;
        double hPhi1 = Math.expm1(hh);
        double hPhiK = hPhi1 / hh - 1;
        double factorial = 1;
        double bh = bh2 ? Math.expm1(hh) : hh;
        double[][] r = new double[order][order];
        double[] b = new double[order];
        for (int i = 1; i <= order; i++) {
            for (int j = 0; j < order; j++) {
                r[i - 1][j] = Math.pow(rks[j], i - 1);
            }
            b[i - 1] = hPhiK * factorial / bh;
            factorial *= i + 1;
            hPhiK = hPhiK / hh - 1 / factorial;
        }
        double cx = predictX0 ? sigmaT / sigma0 : alphaT / alpha0;
        double cm = predictX0 ? alphaT * hPhi1 : sigmaT * hPhi1;
        double scale = predictX0 ? alphaT : sigmaT;
        return new Coefficients(cx, cm, scale, bh, rks, r, b);
    }

    /** Solves the leading size x size block of r * x = b (Gaussian elimination, partial pivoting). */
    static double[] solve(double[][] r, double[] b, int size) {
        double[][] a = new double[size][size + 1];
        for (int i = 0; i < size; i++) {
            System.arraycopy(r[i], 0, a[i], 0, size);
            a[i][size] = b[i];
        }
        for (int col = 0; col < size; col++) {
            int pivot = col;
            for (int row = col + 1; row < size; row++) {
                if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
                    pivot = row;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            for (int row = col + 1; row < size; row++) {
                double f = a[row][col] / a[col][col];
                for (int j = col; j <= size; j++) {
                    a[row][j] -= f * a[col][j];
                }
            }
        }
        double[] x = new double[size];
        for (int i = size - 1; i >= 0; i--) {
            double s = a[i][size];
            for (int j = i + 1; j < size; j++) {
                s -= a[i][j] * x[j];
            }
            x[i] = s / a[i][i];
        }
        return x;
    }
}
