package dev.sdqueue.pipeline.scheduler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * diffusers {@code PNDMScheduler} (Liu et al. 2022): pseudo Runge-Kutta warm-up then 4th-order
 * linear multistep (PLMS). Stable Diffusion 1.x uses skip_prk_steps=true, where the first timestep
 * after the start is evaluated twice (n+1 UNet calls for n inference steps).
 */
final class PndmScheduler extends AbstractScheduler {

    static final Map<String, Object> DEFAULTS = defaults();
    private static final int ORDER = 4;

    private final boolean skipPrkSteps;
    private final float finalAlphaCumprod;
    private int prkCount;
    private int stepRatio;
    private int counter;
    /** Last (up to) four model outputs, ets[0] oldest. */
    private float[][] ets = new float[ORDER][];
    private int etsCount;
    private float[] curSample;
    private float[] curModelOutput;
    private float[] combined;

    public PndmScheduler(SchedulerConfig modelConfig) {
        super("pndm", modelConfig, DEFAULTS);
        this.skipPrkSteps = config.bool("skip_prk_steps", false);
        this.finalAlphaCumprod = config.bool("set_alpha_to_one", false) ? 1f : schedule.alphasCumprod[0];
        Predictions.check(this, predictionType, java.util.Set.of("epsilon", "v_prediction"));
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>(Defaults.betas(0.0001, 0.02, "linear"));
        d.put("skip_prk_steps", false);
        d.put("set_alpha_to_one", false);
        d.put("prediction_type", "epsilon");
        d.put("timestep_spacing", "leading");
        d.put("steps_offset", 0);
        return Collections.unmodifiableMap(d);
    }

    @Override
    public String className() {
        return "PNDMScheduler";
    }

    @Override
    protected void computeTimesteps(int steps) {
        int train = config.integer("num_train_timesteps", 1000);
        String spacing = config.string("timestep_spacing", "leading");
        // Ascending "_timesteps" as diffusers builds them (its linspace/trailing ignore steps_offset).
        int[] desc = ScheduleMath.discreteTimesteps(spacing, train, steps, config.integer("steps_offset", 0));
        int[] asc = new int[steps];
        for (int i = 0; i < steps; i++) {
            asc[i] = desc[steps - 1 - i];
        }
        stepRatio = train / steps;
        int[] all;
        if (skipPrkSteps) {
            prkCount = 0;
            // concatenate([ts[:-1], ts[-2:-1], ts[-1:]])[::-1]: the second-highest timestep twice.
            int[] plms = new int[steps + 1];
            int n = 0;
            for (int i = 0; i < steps - 1; i++) {
                plms[n++] = asc[i];
            }
            if (steps >= 2) {
                plms[n++] = asc[steps - 2];
            }
            plms[n++] = asc[steps - 1];
            all = reverse(java.util.Arrays.copyOf(plms, n));
        } else {
            if (steps < ORDER) {
                throw new IllegalArgumentException("PNDM with Runge-Kutta warm-up needs at least " + ORDER
                        + " inference steps, got " + steps);
            }
            // prk: last 4 ascending timesteps, each followed by +ratio/2, repeated as diffusers does.
            int half = train / steps / 2;
            int[] base = new int[2 * ORDER];
            for (int i = 0; i < ORDER; i++) {
                int t = asc[steps - ORDER + i];
                base[2 * i] = t;
                base[2 * i + 1] = t + half;
            }
            // prk_timesteps[:-1].repeat(2)[1:-1], reversed
            int[] repeated = new int[2 * (base.length - 1)];
            for (int i = 0; i < base.length - 1; i++) {
                repeated[2 * i] = base[i];
                repeated[2 * i + 1] = base[i];
            }
            int[] prk = reverse(java.util.Arrays.copyOfRange(repeated, 1, repeated.length - 1));
            prkCount = prk.length;
            int[] plms = reverse(java.util.Arrays.copyOf(asc, Math.max(0, steps - 3)));
            all = new int[prk.length + plms.length];
            System.arraycopy(prk, 0, all, 0, prk.length);
            System.arraycopy(plms, 0, all, prk.length, plms.length);
        }
        timesteps = new float[all.length];
        for (int i = 0; i < all.length; i++) {
            timesteps[i] = all[i];
        }
        counter = 0;
        etsCount = 0;
        curSample = null;
        curModelOutput = null;
    }

    private static int[] reverse(int[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    @Override
    protected void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prev, NoiseSource noise) {
        int t = (int) timesteps[stepIndex];
        if (counter < prkCount && !skipPrkSteps) {
            stepPrk(modelOutput, t, sample, prev);
        } else {
            stepPlms(modelOutput, t, sample, prev);
        }
        counter++;
    }

    private void stepPrk(float[] modelOutput, int timestep, float[] sample, float[] prev) {
        int n = sample.length;
        int train = config.integer("num_train_timesteps", 1000);
        int diffToPrev = counter % 2 != 0 ? 0 : train / numInferenceSteps / 2;
        int prevT = timestep - diffToPrev;
        int t = (int) timesteps[counter / 4 * 4];
        curModelOutput = sized(curModelOutput, n);
        combined = sized(combined, n);
        float[] eps;
        switch (counter % 4) {
            case 0 -> {
                for (int i = 0; i < n; i++) {
                    curModelOutput[i] = (float) (modelOutput[i] / 6.0);
                }
                pushEts(modelOutput);
                curSample = sized(curSample, n);
                System.arraycopy(sample, 0, curSample, 0, n);
                eps = modelOutput;
            }
            case 1, 2 -> {
                for (int i = 0; i < n; i++) {
                    curModelOutput[i] = (float) (curModelOutput[i] + modelOutput[i] / 3.0);
                }
                eps = modelOutput;
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    combined[i] = (float) (curModelOutput[i] + modelOutput[i] / 6.0);
                    curModelOutput[i] = 0f;
                }
                eps = combined;
            }
        }
        prevSample(curSample, t, prevT, eps, prev);
    }

    private void stepPlms(float[] modelOutput, int timestep, float[] sample, float[] prev) {
        int n = sample.length;
        int prevT = timestep - stepRatio;
        int t = timestep;
        if (counter != 1) {
            pushEts(modelOutput);
        } else {
            prevT = timestep;
            t = timestep + stepRatio;
        }
        combined = sized(combined, n);
        float[] source = sample;
        if (etsCount == 1 && counter == 0) {
            System.arraycopy(modelOutput, 0, combined, 0, n);
            curSample = sized(curSample, n);
            System.arraycopy(sample, 0, curSample, 0, n);
        } else if (etsCount == 1 && counter == 1) {
            float[] e1 = ets(1);
            for (int i = 0; i < n; i++) {
                combined[i] = (float) ((modelOutput[i] + (double) e1[i]) / 2);
            }
            source = curSample;
        } else if (etsCount == 2) {
            float[] e1 = ets(1);
            float[] e2 = ets(2);
            for (int i = 0; i < n; i++) {
                combined[i] = (float) ((3.0 * e1[i] - e2[i]) / 2);
            }
        } else if (etsCount == 3) {
            float[] e1 = ets(1);
            float[] e2 = ets(2);
            float[] e3 = ets(3);
            for (int i = 0; i < n; i++) {
                combined[i] = (float) ((23.0 * e1[i] - 16.0 * e2[i] + 5.0 * e3[i]) / 12);
            }
        } else {
            float[] e1 = ets(1);
            float[] e2 = ets(2);
            float[] e3 = ets(3);
            float[] e4 = ets(4);
            for (int i = 0; i < n; i++) {
                combined[i] = (float) ((55.0 * e1[i] - 59.0 * e2[i] + 37.0 * e3[i] - 9.0 * e4[i]) / 24);
            }
        }
        prevSample(source, t, prevT, combined, prev);
    }

    /** Formula (9) of the PNDM paper: x_(t-delta) from x_t and the (combined) noise estimate. */
    private void prevSample(float[] sample, int t, int prevT, float[] eps, float[] prev) {
        double alphaProd = acp(t);
        double alphaProdPrev = prevT >= 0 ? acp(prevT) : finalAlphaCumprod;
        double betaProd = 1 - alphaProd;
        double betaProdPrev = 1 - alphaProdPrev;
        double sampleCoeff = Math.sqrt(alphaProdPrev / alphaProd);
        double denom = alphaProd * Math.sqrt(betaProdPrev) + Math.sqrt(alphaProd * betaProd * alphaProdPrev);
        double epsCoeff = (alphaProdPrev - alphaProd) / denom;
        boolean v = predictionType.equals("v_prediction");
        double sqrtA = Math.sqrt(alphaProd);
        double sqrtB = Math.sqrt(betaProd);
        for (int i = 0; i < sample.length; i++) {
            double x = sample[i];
            double e = v ? sqrtA * eps[i] + sqrtB * x : eps[i];
            prev[i] = (float) (sampleCoeff * x - epsCoeff * e);
        }
    }

    /** Appends a copy of a model output to the history (keeps the last four). */
    private void pushEts(float[] modelOutput) {
        float[] slot;
        if (etsCount < ORDER) {
            slot = sized(ets[etsCount], modelOutput.length);
            ets[etsCount] = slot;
            etsCount++;
        } else {
            slot = sized(ets[0], modelOutput.length);
            System.arraycopy(ets, 1, ets, 0, ORDER - 1);
            ets[ORDER - 1] = slot;
        }
        System.arraycopy(modelOutput, 0, slot, 0, modelOutput.length);
    }

    /** ets[-k] in Python terms (k=1 is the latest). */
    private float[] ets(int k) {
        return ets[etsCount - k];
    }
}
