package dev.sdqueue.pipeline.oracle;

import dev.sdqueue.models.ColourOracleModel;
import dev.sdqueue.pipeline.GeneratedImage;
import dev.sdqueue.pipeline.GenerationParams;
import dev.sdqueue.pipeline.GenerationResult;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.StableDiffusionPipeline;
import dev.sdqueue.pipeline.oracle.ClosedForm.Case;
import dev.sdqueue.pipeline.scheduler.Schedulers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end on real ONNX Runtime sessions with the analytic colour-oracle model: every scheduler, with
 * and without a negative prompt, guidance 1 and 7.5, must produce the image of {@link ClosedForm}.
 *
 * <p><b>Tolerance.</b> Each 8-bit channel value p must satisfy {@code |p - v| <= 0.5 + ETA} where v is the
 * exact (unrounded) expected value: p is v rounded, give or take the pipeline's float32 error. Its budget, in
 * latent units, converted with the model's steepest gain
 * {@code L = 127.5 * max_o sum_c |W_oc| / 0.18215 = 127.5 * 0.675 / 0.18215 = 472.5} levels per latent unit:
 * <ul>
 *   <li>scheduler arithmetic in float32: diffusers' own schedulers with such an oracle end within 7e-6 of the
 *       closed form (measured when the oracle was designed), i.e. 3.3e-3 levels; DDIM's cancellation at t = 951
 *       ((x - 0.996 eps) / 0.090) costs ~1e-6 and is damped by the next step's sqrt(a) ~ 0.1;</li>
 *   <li>the oracle UNet in float32 (sigma table, interpolation, sqrt(1+sigma^2)): relative ~1e-6 of its output,
 *       which the last step turns into under 1e-6 latent (x0 = x - sigma*eps with sigma &lt;= 0.03);</li>
 *   <li>LCM's boundary condition: its last output is {@code c_skip*x + c_out*x0}, at t = 259
 *       {@code c_skip = 3.7e-8}, {@code 1 - c_out = 1.9e-8}: under 3e-7 latent for |x| &lt; 6;</li>
 *   <li>this test's double alphas_cumprod vs torch's float32 table (DDIM/PNDM only): under 1e-6 latent;</li>
 *   <li>VAE in float32 and the pipeline's float {@code x/2 + 0.5}: ~1e-7 image units, 1e-5 levels.</li>
 * </ul>
 * Total under 1e-5 latent, i.e. under 0.005 levels; ETA = 0.05 keeps a factor 10 of margin. Hence a value
 * may differ from {@code round(v)} only where v lies within ETA of a rounding boundary, and never by more
 * than one level. For scale: 1 level is 2.1e-3 to 6.3e-3 latent units; a latent scale of 1/0.18 instead of
 * 1/0.18215 (1.2 %) moves pixels by up to 1.4 levels and fails every case, where a plain "within one level of
 * round(v)" rule would let most of it through.
 *
 * <p><b>LCM.</b> It runs with its own settings: the LCM timestep schedule (original_inference_steps 50:
 * t = 999, 759, 499, 259 for 4 steps) and fresh noise after every step but the last. LCM-distilled UNets take
 * guidance as a w-embedding input ({@code timestep_cond}), which the SD 1.5 ONNX interface has not; LCM-LoRA
 * is used at guidance ~1 (no classifier-free guidance). This pipeline applies ordinary CFG with any scheduler,
 * and the closed form holds for every g (CFG is linear in the noise, LCM's x0 estimate from a consistent
 * noise is exact), so LCM is tested at 1 (its usual setting) and at 7.5 like the others.
 */
class ColourOracleTest {

    /** Margin over half a level, in 8-bit levels (derivation above). */
    static final double ETA = 0.05;
    private static final String PROMPT = "a red apple";
    private static final String NEGATIVE = "an orange";

    @TempDir
    static Path temp; // under target/: surefire sets java.io.tmpdir there
    private static StableDiffusionPipeline pipeline;
    /** Worst |p - v| per scheduler over every checked image, printed at the end for the record. */
    private static final Map<String, Double> worst = new TreeMap<>();

    @BeforeAll
    static void load() throws IOException {
        Path dir = temp.resolve(ColourOracleModel.NAME);
        ColourOracleModel.write(dir);
        pipeline = StableDiffusionPipeline.load(dir, PipelineOptions.defaults().withIntraOpThreads(1), null);
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
        }
        System.out.println("[colour-oracle] worst |p - v| per scheduler (levels; limit " + (0.5 + ETA) + "): " + worst);
    }

    @TestFactory
    Stream<DynamicTest> everySchedulerWithAndWithoutNegativePromptAtGuidance1And7point5() {
        assertThat(Schedulers.names()).hasSize(9);
        List<DynamicTest> tests = new ArrayList<>();
        for (String scheduler : Schedulers.names()) {
            int steps = scheduler.equals("lcm") ? 4 : 20;
            for (String negative : new String[] {null, NEGATIVE}) {
                List<String> negativeColours = negative == null ? List.of() : List.of("orange");
                for (double guidance : new double[] {1.0, 7.5}) {
                    Case c = new Case(scheduler, PROMPT, List.of("red"), negative, negativeColours, guidance, steps,
                            64, 48, 1000 + tests.size());
                    tests.add(DynamicTest.dynamicTest(c.label(), () -> assertClosedForm(c, 1)));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void otherStepCountsSizesAndColourMixtures() {
        assertClosedForm(new Case("ddim", "a blue sky", List.of("blue"), "black", List.of("black"), 3.0, 50, 64, 48, 5), 1);
        assertClosedForm(new Case("pndm", "a green field", List.of("green"), null, List.of(), 5.0, 33, 48, 64, 6), 1);
        assertClosedForm(new Case("lms", "a red and blue ball", List.of("red", "blue"), "a grey wall", List.of("grey"),
                3.0, 30, 48, 64, 7), 1);
        assertClosedForm(new Case("dpmpp_2m_karras", "teal and gold and violet", List.of("teal", "gold", "violet"),
                "pink", List.of("pink"), 2.0, 25, 72, 40, 8), 1);
        assertClosedForm(new Case("euler_a", "a white cat", List.of("white"), null, List.of(), 7.5, 21, 40, 72, 9), 1);
    }

    @Test
    void everyImageOfABatchHasItsOwnSeed() {
        // DDIM and PNDM keep the initial noise in the result, so each image must have used seed + index.
        assertClosedForm(new Case("ddim", PROMPT, List.of("red"), NEGATIVE, List.of("orange"), 7.5, 20, 64, 48, 77), 3);
        assertClosedForm(new Case("pndm", "a purple flower", List.of("purple"), null, List.of(), 1.0, 20, 64, 48, 78), 2);
    }

    @Test
    void flipsRotationsAndTransposesWouldBeCaught() {
        Case square = new Case("euler", PROMPT, List.of("red"), null, List.of(), 7.5, 20, 64, 64, 11);
        int[][][] actual = generate(square, 1).get(0);
        double[][][] expected = ClosedForm.expectedPixels(square, 0);
        Mismatches itself = mismatches(actual, expected);
        assertThat(itself.count).as("%s: the image itself, worst %s", square.label(), itself.describe()).isZero();
        Map<String, UnaryOperator<int[][][]>> transforms = Map.of(
                "horizontal flip", a -> transform(a, (y, x, n) -> new int[] {y, n - 1 - x}),
                "vertical flip", a -> transform(a, (y, x, n) -> new int[] {n - 1 - y, x}),
                "rotation by 180", a -> transform(a, (y, x, n) -> new int[] {n - 1 - y, n - 1 - x}),
                "transpose", a -> transform(a, (y, x, n) -> new int[] {x, y}));
        transforms.forEach((name, t) -> assertThat(mismatches(t.apply(actual), expected).count)
                .as(name + " of the image: channel values off the closed form")
                .isGreaterThan(3 * 64 * 64 / 2));
        // Non-square: width and height swapped in the latents would give the wrong PNG size or content.
        Case portrait = new Case("euler", PROMPT, List.of("red"), null, List.of(), 7.5, 20, 48, 64, 11);
        assertClosedForm(portrait, 1);
    }

    // ------------------------------------------------------------------ assertion

    /** Generates {@code images} images and checks each against the closed form. */
    static void assertClosedForm(Case c, int images) {
        List<int[][][]> actual = generate(c, images);
        for (int i = 0; i < images; i++) {
            double[][][] expected = ClosedForm.expectedPixels(c, i);
            assertThat(clampedFraction(expected)).as("%s: expected values at 0 or 255 (design keeps the image in"
                    + " range, so clamping cannot hide errors)", c.label()).isLessThan(0.02);
            Mismatches m = mismatches(actual.get(i), expected);
            worst.merge(c.scheduler(), m.worst, Math::max);
            assertThat(m.count).as("%s, image %d (seed %d): %d of %d channel values differ from the closed form by"
                            + " more than %.2f levels; worst %s", c.label(), i, c.seed() + i, m.count, m.total,
                    0.5 + ETA, m.describe()).isZero();
        }
    }

    private static List<int[][][]> generate(Case c, int images) {
        GenerationParams params = new GenerationParams(c.prompt(), c.negativePrompt(), c.width(), c.height(),
                c.steps(), c.guidance(), c.seed(), c.scheduler(), images);
        GenerationResult result = pipeline.generate(params, null);
        assertThat(result.scheduler()).isEqualTo(c.scheduler());
        assertThat(result.images()).hasSize(images);
        List<int[][][]> out = new ArrayList<>();
        for (GeneratedImage image : result.images()) {
            assertThat(image.seed()).isEqualTo(c.seed() + image.index());
            out.add(channels(image.png(), c.width(), c.height()));
        }
        return out;
    }

    /** The PNG's samples as [3][height][width], read with javax.imageio (independent of our encoder). */
    static int[][][] channels(byte[] png, int width, int height) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image.getWidth()).as("PNG width").isEqualTo(width);
            assertThat(image.getHeight()).as("PNG height").isEqualTo(height);
            Raster raster = image.getRaster();
            assertThat(raster.getNumBands()).isEqualTo(3);
            int[][][] out = new int[3][height][width];
            int[] sample = new int[3];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    raster.getPixel(x, y, sample);
                    for (int o = 0; o < 3; o++) {
                        out[o][y][x] = sample[o];
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Mismatches(int count, int total, double worst, int channel, int y, int x, int got, double expected) {
        String describe() {
            return String.format("%.2f levels at x=%d y=%d channel %d (got %d, expected %.2f)", worst, x, y, channel,
                    got, expected);
        }
    }

    static Mismatches mismatches(int[][][] actual, double[][][] expected) {
        int count = 0;
        int total = 0;
        double worstSeen = -1;
        int[] at = new int[3];
        for (int o = 0; o < 3; o++) {
            for (int y = 0; y < expected[o].length; y++) {
                for (int x = 0; x < expected[o][y].length; x++) {
                    double d = Math.abs(actual[o][y][x] - expected[o][y][x]);
                    total++;
                    if (d > 0.5 + ETA) {
                        count++;
                    }
                    if (d > worstSeen) {
                        worstSeen = d;
                        at = new int[] {o, y, x};
                    }
                }
            }
        }
        return new Mismatches(count, total, worstSeen, at[0], at[1], at[2], actual[at[0]][at[1]][at[2]],
                expected[at[0]][at[1]][at[2]]);
    }

    private static double clampedFraction(double[][][] expected) {
        int clamped = 0;
        int total = 0;
        for (double[][] plane : expected) {
            for (double[] row : plane) {
                for (double v : row) {
                    total++;
                    if (v <= 0.0 || v >= 255.0) {
                        clamped++;
                    }
                }
            }
        }
        return (double) clamped / total;
    }

    @FunctionalInterface
    private interface PixelMap {
        /** Source (y, x) of output pixel (y, x) in an n x n image. */
        int[] source(int y, int x, int n);
    }

    private static int[][][] transform(int[][][] image, PixelMap map) {
        int n = image[0].length;
        int[][][] out = new int[3][n][n];
        for (int o = 0; o < 3; o++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    int[] s = map.source(y, x, n);
                    out[o][y][x] = image[o][s[0]][s[1]];
                }
            }
        }
        return out;
    }
}
