package dev.sdqueue.pipeline.oracle;

import dev.sdqueue.models.ColourOracleModel;
import dev.sdqueue.pipeline.GaussianNoise;

import java.util.List;

/**
 * The image the colour-oracle model must produce, computed here in double precision from the model's
 * definition ({@link ColourOracleModel#cleanLatent}, {@link ColourOracleModel#decode}) and the maths of
 * sampling, without any of the pipeline's code except its documented noise generator:
 * <ol>
 *   <li>clean latents of both prompts, {@code x0_pos} and {@code x0_neg};</li>
 *   <li>guidance: {@code x0 = x0_neg + g*(x0_pos - x0_neg)} for g &gt; 1; the pipeline skips the
 *       unconditional half for g &lt;= 1, then {@code x0 = x0_pos}. (Guidance mixes the two noise
 *       predictions linearly, and the oracle's noise is affine in x0, so the guided noise is exactly the
 *       oracle's noise for this x0);</li>
 *   <li>final latents: every exact sampler (Euler, Euler a, LMS, DPM++ 2M (Karras), UniPC, and LCM,
 *       whose last output is its consistency estimate) ends on x0. DDIM and PNDM with
 *       {@code set_alpha_to_one = false} end one step short of t = 0:
 *       {@code sqrt(a_final)*x0 + sqrt(1-a_final)*eps_T}, {@code a_final = alphas_cumprod[0]}, because
 *       with this oracle the noise direction never changes:
 *       {@code eps_T = (x_T - sqrt(a_first)*x0) / sqrt(1-a_first)}, x_T the initial latents (N(0,1) from
 *       {@link GaussianNoise}(seed + image index), times init_noise_sigma = 1) and a_first the
 *       alphas_cumprod of the first ("leading" spaced, steps_offset 1) timestep;</li>
 *   <li>pixels: {@code clamp((decode(x / 0.18215) + 1) / 2, 0, 1) * 255}, not rounded (the comparison
 *       accounts for rounding).</li>
 * </ol>
 */
final class ClosedForm {

    /** SD 1.x latent scaling factor. */
    static final double SCALING_FACTOR = 0.18215;

    private ClosedForm() {
    }

    /**
     * One generation request and what its prompts contain.
     *
     * @param promptColours   the colour words of the prompt (each one token), in any order
     * @param negativeColours the colour words of the negative prompt (empty for none or "")
     */
    record Case(String scheduler, String prompt, List<String> promptColours, String negativePrompt,
                List<String> negativeColours, double guidance, int steps, int width, int height, long seed) {

        String label() {
            return String.format("%s steps=%d g=%s %dx%d prompt='%s' negative=%s", scheduler, steps, guidance, width,
                    height, prompt, negativePrompt == null ? "none" : "'" + negativePrompt + "'");
        }

        boolean endsOneStepShortOfZero() {
            return scheduler.equals("ddim") || scheduler.equals("pndm");
        }
    }

    /** Expected unrounded 8-bit values, [3][height][width], of image {@code index} (seed + index). */
    static double[][][] expectedPixels(Case c, int index) {
        int h = c.height() / 8;
        int w = c.width() / 8;
        double[][][] latents = finalLatents(c, index);
        double[][][] pixels = new double[3][c.height()][c.width()];
        double[] z = new double[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < 4; ch++) {
                    z[ch] = latents[ch][y][x] / SCALING_FACTOR;
                }
                for (int o = 0; o < 3; o++) {
                    double value = Math.min(1.0, Math.max(0.0, (ColourOracleModel.decode(z, o) + 1.0) / 2.0)) * 255.0;
                    for (int dy = 0; dy < 8; dy++) {
                        for (int dx = 0; dx < 8; dx++) {
                            pixels[o][8 * y + dy][8 * x + dx] = value;
                        }
                    }
                }
            }
        }
        return pixels;
    }

    /** Final latents [4][h/8][w/8] of image {@code index}. */
    static double[][][] finalLatents(Case c, int index) {
        int h = c.height() / 8;
        int w = c.width() / 8;
        double[] positive = ColourOracleModel.promptColour(c.promptColours());
        double[] negative = ColourOracleModel.promptColour(c.negativeColours());
        double[][][] x0 = new double[4][h][w];
        for (int ch = 0; ch < 4; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double pos = ColourOracleModel.cleanLatent(positive, ch, y, x);
                    double neg = ColourOracleModel.cleanLatent(negative, ch, y, x);
                    x0[ch][y][x] = c.guidance() > 1.0 ? neg + c.guidance() * (pos - neg) : pos;
                }
            }
        }
        if (!c.endsOneStepShortOfZero()) {
            return x0;
        }
        double[] acp = alphasCumprod();
        int firstTimestep = (c.steps() - 1) * (1000 / c.steps()) + 1; // "leading" spacing, steps_offset 1
        double aFirst = acp[firstTimestep];
        double aFinal = acp[0];
        float[] initial = new float[4 * h * w];
        new GaussianNoise(c.seed() + index).fill(initial, 0, initial.length); // init_noise_sigma = 1
        double[][][] out = new double[4][h][w];
        for (int ch = 0; ch < 4; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double xT = initial[(ch * h + y) * w + x];
                    double epsT = (xT - Math.sqrt(aFirst) * x0[ch][y][x]) / Math.sqrt(1 - aFirst);
                    out[ch][y][x] = Math.sqrt(aFinal) * x0[ch][y][x] + Math.sqrt(1 - aFinal) * epsT;
                }
            }
        }
        return out;
    }

    /**
     * SD 1.5's alphas_cumprod in double: betas = linspace(sqrt(0.00085), sqrt(0.012), 1000)^2. (torch's
     * float32 table differs by ~1e-7 relative, which moves the DDIM/PNDM closed form by under 1e-6.)
     */
    static double[] alphasCumprod() {
        double start = Math.sqrt(0.00085);
        double end = Math.sqrt(0.012);
        double[] acp = new double[1000];
        double product = 1.0;
        for (int i = 0; i < 1000; i++) {
            double root = start + (end - start) * i / 999.0;
            product *= 1.0 - root * root;
            acp[i] = product;
        }
        return acp;
    }
}
