package dev.sdqueue.pipeline.scheduler;

/** numpy idioms diffusers uses to build timestep and sigma tables, reproduced in double precision. */
final class ScheduleMath {

    private ScheduleMath() {
    }

    /** np.linspace(start, stop, num) with endpoint: {@code i*step + start}, last element exactly stop. */
    static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        if (num == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    /** np.arange(start, stop, step) for floats: length ceil((stop-start)/step), a[i] = start + i*delta. */
    static double[] arange(double start, double stop, double step) {
        int len = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] out = new double[len];
        if (len == 0) {
            return out;
        }
        out[0] = start;
        if (len > 1) {
            // numpy fills from the first two values, so delta is (start + step) - start.
            out[1] = start + step;
            double delta = out[1] - out[0];
            for (int i = 2; i < len; i++) {
                out[i] = start + i * delta;
            }
        }
        return out;
    }

    /** np.round: half to even. */
    static double round(double x) {
        return Math.rint(x);
    }

    /**
     * The integer timesteps (descending) of DDIM-style schedulers for a timestep_spacing. "leading"
     * adds steps_offset; "linspace" and "trailing" ignore it, as in diffusers.
     */
    static int[] discreteTimesteps(String spacing, int trainSteps, int steps, int stepsOffset) {
        int[] out = new int[steps];
        switch (spacing) {
            case "linspace" -> {
                double[] lin = linspace(0, trainSteps - 1, steps);
                for (int i = 0; i < steps; i++) {
                    out[i] = (int) round(lin[steps - 1 - i]);
                }
            }
            case "leading" -> {
                int ratio = trainSteps / steps;
                for (int i = 0; i < steps; i++) {
                    out[i] = (steps - 1 - i) * ratio + stepsOffset;
                }
            }
            case "trailing" -> {
                double[] a = arange(trainSteps, 0, -((double) trainSteps / steps));
                if (a.length != steps) {
                    throw new IllegalStateException("trailing spacing produced " + a.length + " timesteps for " + steps);
                }
                for (int i = 0; i < steps; i++) {
                    out[i] = (int) round(a[i]) - 1;
                }
            }
            default -> throw unsupportedSpacing(spacing);
        }
        return out;
    }

    static UnsupportedSchedulerException unsupportedSpacing(String spacing) {
        return new UnsupportedSchedulerException("unsupported timestep_spacing '" + spacing
                + "' (supported: leading, linspace, trailing)");
    }

    /** np.interp(x, arange(len(fp)), fp) for x inside [0, len-1]. */
    static double interp(double x, float[] fp) {
        int last = fp.length - 1;
        if (x <= 0) {
            return fp[0];
        }
        if (x >= last) {
            return fp[last];
        }
        int j = (int) Math.floor(x);
        if (j == x) {
            return fp[j];
        }
        double slope = (double) fp[j + 1] - (double) fp[j];
        return slope * (x - j) + fp[j];
    }

    /** Karras et al. (2022) rho=7 schedule from sigmaMax down to sigmaMin, as diffusers' _convert_to_karras. */
    static double[] karras(double sigmaMin, double sigmaMax, int steps) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, steps);
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return out;
    }

    /** diffusers' _sigma_to_t: fractional train timestep whose log-sigma interpolates to sigma. */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        // Last index whose log-sigma is <= logSigma (argmax of the cumsum), clipped to len-2.
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        double lo = logSigmas[low];
        double hi = logSigmas[low + 1];
        double w = (lo - logSigma) / (lo - hi);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * low + w * (low + 1);
    }

    /** np.log of a float32 array (float32 result). */
    static float[] logF(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(values[i]);
        }
        return out;
    }
}
