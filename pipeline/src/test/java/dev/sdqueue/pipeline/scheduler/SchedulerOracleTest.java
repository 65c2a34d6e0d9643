package dev.sdqueue.pipeline.scheduler;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Beyond the reference trajectories (SD 1.5 config, epsilon, default spacing): every scheduler,
 * every spacing, epsilon and v_prediction, several step counts, driven by an oracle model that
 * returns exactly the noise (or v) consistent with a fixed clean sample x0 at the true noise level
 * of the timestep it receives. Exact samplers must land on x0; DDIM and PNDM on the closed form
 * sqrt(a_final)*x0 + sqrt(1-a_final)*eps_T. Wrong timesteps, sigmas or prediction-type algebra fail.
 */
class SchedulerOracleTest {

    private static final Map<String, Object> SD15 = Map.of(
            "_class_name", "PNDMScheduler", "beta_start", 0.00085, "beta_end", 0.012,
            "beta_schedule", "scaled_linear", "num_train_timesteps", 1000, "set_alpha_to_one", false,
            "skip_prk_steps", true, "steps_offset", 1, "clip_sample", false, "prediction_type", "epsilon");
    private static final int N = 64;

    @TestFactory
    Stream<DynamicTest> everySchedulerSpacingPredictionAndStepCount() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : List.of("ddim", "pndm", "euler", "euler_a", "lms", "dpmpp_2m", "unipc", "lcm")) {
            for (String spacing : List.of("leading", "linspace", "trailing")) {
                for (String prediction : List.of("epsilon", "v_prediction")) {
                    for (int steps : new int[] {1, 3, 7, 20, 33}) {
                        if (name.equals("lcm") && !spacing.equals("leading")) {
                            continue; // LCM ignores timestep_spacing
                        }
                        if ((name.equals("ddim") || name.equals("pndm")) && !strideMatchesSpacing(spacing, steps)) {
                            continue; // see strideMatchesSpacing
                        }
                        if (name.equals("pndm") && prediction.equals("v_prediction")) {
                            continue; // diffusers converts v to eps after the multistep mix: inexact by design
                        }
                        String label = name + " " + spacing + " " + prediction + " " + steps;
                        tests.add(DynamicTest.dynamicTest(label, () -> landsOnExpected(name, spacing, prediction, steps)));
                    }
                }
            }
        }
        return tests.stream();
    }

    /**
     * DDIM and PNDM (as in diffusers) always step back by num_train_timesteps // steps, whatever the
     * spacing; the oracle's closed form only holds when that stride is the spacing's real stride.
     */
    private static boolean strideMatchesSpacing(String spacing, int steps) {
        return switch (spacing) {
            case "leading" -> true;
            case "trailing" -> 1000 % steps == 0;
            default -> steps == 1;
        };
    }

    private static void landsOnExpected(String name, String spacing, String prediction, int steps) {
        SchedulerConfig config = new SchedulerConfig(SD15).with("timestep_spacing", spacing)
                .with("prediction_type", prediction);
        Scheduler s = Schedulers.create(name, config);
        s.setTimesteps(steps);
        float[] acp = NoiseSchedule.from(s.config()).alphasCumprod;
        float[] trainSigmas = NoiseSchedule.from(s.config()).trainSigmas();
        SplittableRandom random = new SplittableRandom(42);
        double[] x0 = new double[N];
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x0[i] = Math.sin(0.37 * i) * 0.8;
            x[i] = (float) (gaussian(random) * s.initNoiseSigma());
        }
        // eps_T: the noise direction of the starting sample at the first timestep's true noise level.
        double aT = trueAlpha(s.timestep(0), s, acp, trainSigmas);
        double[] epsT = new double[N];
        float[] xIn = new float[N];
        for (int i = 0; i < N; i++) {
            double scaled = x[i] / Math.sqrt(s instanceof SigmaScheduler ? 1 / aT : 1);
            epsT[i] = (scaled - Math.sqrt(aT) * x0[i]) / Math.sqrt(1 - aT);
        }
        NoiseSource noise = dest -> {
            for (int i = 0; i < dest.length; i++) {
                dest[i] = (float) gaussian(random);
            }
        };
        float[] out = new float[N];
        for (int k = 0; k < s.numSteps(); k++) {
            s.scaleModelInput(x, k, xIn);
            double a = trueAlpha(s.timestep(k), s, acp, trainSigmas);
            float[] m = new float[N];
            for (int i = 0; i < N; i++) {
                double eps = (xIn[i] - Math.sqrt(a) * x0[i]) / Math.sqrt(1 - a);
                m[i] = (float) (prediction.equals("epsilon") ? eps : Math.sqrt(a) * eps - Math.sqrt(1 - a) * x0[i]);
            }
            s.step(m, k, x, out, noise);
            System.arraycopy(out, 0, x, 0, N);
        }
        boolean closedFormDdim = name.equals("ddim") || name.equals("pndm");
        double aFinal = acp[0]; // set_alpha_to_one=false: the last step lands on alphas_cumprod[0]
        for (int i = 0; i < N; i++) {
            double expected = closedFormDdim ? Math.sqrt(aFinal) * x0[i] + Math.sqrt(1 - aFinal) * epsT[i] : x0[i];
            double tol = 2e-5 + 2e-5 * Math.abs(expected);
            if (!(Math.abs(x[i] - expected) <= tol)) {
                fail(String.format("%s: x[%d] = %.7f, expected %.7f (|diff| %.2g)", s.name(), i, x[i], expected,
                        Math.abs(x[i] - expected)));
            }
        }
    }

    /** alphas_cumprod at (possibly fractional) timestep t, sigma interpolated linearly in t. */
    private static double trueAlpha(float t, Scheduler s, float[] acp, float[] trainSigmas) {
        if (t == Math.rint(t)) {
            return acp[(int) t];
        }
        int j = (int) Math.floor(t);
        double sigma = trainSigmas[j] + (t - j) * ((double) trainSigmas[j + 1] - trainSigmas[j]);
        return 1 / (1 + sigma * sigma);
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    @Test
    void timestepsForEverySpacingMatchDiffusersFormulas() {
        SchedulerConfig base = new SchedulerConfig(SD15);
        // Hand-evaluated from diffusers' set_timesteps for 4 steps, 1000 train steps, steps_offset 1.
        assertThat(timesteps("ddim", base.with("timestep_spacing", "leading"), 4)).containsExactly(751, 501, 251, 1);
        assertThat(timesteps("ddim", base.with("timestep_spacing", "linspace"), 4)).containsExactly(999, 666, 333, 0);
        assertThat(timesteps("ddim", base.with("timestep_spacing", "trailing"), 4)).containsExactly(999, 749, 499, 249);
        assertThat(timesteps("ddim", base.with("timestep_spacing", "trailing"), 3)).containsExactly(999, 666, 332);
        assertThat(timesteps("pndm", base.with("timestep_spacing", "trailing"), 4)).containsExactly(999, 749, 749, 499, 249);
        assertThat(timesteps("euler", base.with("timestep_spacing", "leading"), 4)).containsExactly(751, 501, 251, 1);
        assertThat(timesteps("euler", base.with("timestep_spacing", "trailing"), 4)).containsExactly(999, 749, 499, 249);
        assertThat(timesteps("dpmpp_2m", base.with("timestep_spacing", "leading"), 4)).containsExactly(801, 601, 401, 201);
        assertThat(timesteps("dpmpp_2m", base.with("timestep_spacing", "trailing"), 4)).containsExactly(999, 749, 499, 249);
        assertThat(timesteps("unipc", base.with("timestep_spacing", "linspace"), 4)).containsExactly(999, 749, 500, 250);
        assertThat(timesteps("lcm", base, 4)).containsExactly(999, 759, 499, 259);
    }

    private static float[] timesteps(String name, SchedulerConfig c, int steps) {
        Scheduler s = Schedulers.create(name, c);
        s.setTimesteps(steps);
        return s.timesteps();
    }

    @Test
    void eulerInitNoiseSigmaIncludesThePlusOneOnlyForLeadingSpacing() {
        SchedulerConfig base = new SchedulerConfig(SD15);
        Scheduler linspace = Schedulers.create("euler", base);
        linspace.setTimesteps(10);
        Scheduler leading = Schedulers.create("euler", base.with("timestep_spacing", "leading"));
        leading.setTimesteps(10);
        float maxLeading = ((SigmaScheduler) leading).sigmas()[0];
        assertThat(linspace.initNoiseSigma()).isEqualTo(((SigmaScheduler) linspace).sigmas()[0]);
        assertThat((double) leading.initNoiseSigma()).isCloseTo(Math.sqrt(maxLeading * maxLeading + 1),
                org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void stepsMustRunInOrderAfterSetTimesteps() {
        Scheduler s = Schedulers.create("pndm", new SchedulerConfig(SD15));
        float[] x = new float[4];
        assertThatThrownBy(() -> s.step(x, 0, x, x)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setTimesteps");
        s.setTimesteps(5);
        assertThatThrownBy(() -> s.step(x, 1, x, x)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expected step 0");
    }

    @Test
    void ancestralSchedulerWithoutNoiseSourceFailsClearly() {
        Scheduler s = Schedulers.create("euler_a", new SchedulerConfig(SD15));
        s.setTimesteps(3);
        float[] x = new float[4];
        assertThatThrownBy(() -> s.step(x, 0, x, x)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NoiseSource");
    }
}
