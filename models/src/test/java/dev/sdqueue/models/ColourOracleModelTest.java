package dev.sdqueue.models;

import static dev.sdqueue.models.OrtSupport.floatOutput;
import static dev.sdqueue.models.OrtSupport.floats;
import static dev.sdqueue.models.OrtSupport.gaussian;
import static dev.sdqueue.models.OrtSupport.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdqueue.models.OrtSupport.FloatResult;
import dev.sdqueue.models.OrtSupport.Port;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The colour-oracle folder and its graphs in real ONNX Runtime, checked against the model's definition
 * ({@link ColourOracleModel}'s static maths) and, independently, against the defining property: given
 * {@code x_in = sqrt(a)*x0 + sqrt(1-a)*n} at timestep t, the UNet returns n.
 */
class ColourOracleModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path root;
    static Path model;
    static OrtSession textEncoder;
    static OrtSession unet;
    static OrtSession vae;
    static JsonNode vocab;

    @BeforeAll
    static void generateAndOpen() throws IOException, OrtException {
        model = root.resolve(ColourOracleModel.NAME);
        ColourOracleModel.write(model);
        textEncoder = OrtSupport.open(model.resolve("text_encoder/model.onnx"));
        unet = OrtSupport.open(model.resolve("unet/model.onnx"));
        vae = OrtSupport.open(model.resolve("vae_decoder/model.onnx"));
        vocab = JSON.readTree(model.resolve("tokenizer/vocab.json").toFile());
    }

    @AfterAll
    static void close() throws OrtException {
        for (OrtSession session : new OrtSession[] {textEncoder, unet, vae}) {
            if (session != null) {
                session.close();
            }
        }
    }

    @Test
    void folderHasTheLayoutAndSchedulerOfStableDiffusion15() throws IOException {
        assertThat(TinyRandomModelFilesTest.files(model).keySet()).containsExactlyInAnyOrder(
                "model_index.json", "scheduler/scheduler_config.json",
                "text_encoder/config.json", "text_encoder/model.onnx",
                "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json",
                "tokenizer/vocab.json", "unet/config.json", "unet/model.onnx",
                "vae_decoder/config.json", "vae_decoder/model.onnx");
        assertThat(JSON.readTree(model.resolve("scheduler/scheduler_config.json").toFile()))
                .isEqualTo(JSON.valueToTree(StableDiffusionLayout.sd15SchedulerConfig()));
        assertThat(JSON.readTree(model.resolve("vae_decoder/config.json").toFile()).get("scaling_factor").asDouble())
                .isEqualTo(0.18215);
    }

    @Test
    void everyColourWordIsOneToken() {
        assertThat(vocab.size()).isEqualTo(1000);
        for (String word : ColourOracleModel.COLOURS.keySet()) {
            assertThat(vocab.has(word + "</w>")).as(word).isTrue();
        }
    }

    @Test
    void interfaceMatchesTinyRandomExceptAFloatTimestep() throws OrtException {
        Map<String, Port> in = OrtSupport.inputs(unet);
        assertThat(in.keySet()).containsExactly("sample", "timestep", "encoder_hidden_states");
        assertThat(in.get("timestep").type()).isEqualTo(OnnxJavaType.FLOAT);
        assertThat(in.get("timestep").shape()).containsExactly(1);
        assertThat(in.get("sample").dimensionNames()).containsExactly("batch_size", "", "height", "width");
        assertThat(OrtSupport.outputs(unet).keySet()).containsExactly("out_sample");
        assertThat(OrtSupport.inputs(textEncoder).get("input_ids").type()).isEqualTo(OnnxJavaType.INT32);
        assertThat(OrtSupport.outputs(textEncoder).keySet()).containsExactly("last_hidden_state", "pooler_output");
        assertThat(OrtSupport.inputs(vae).keySet()).containsExactly("latent_sample");
        assertThat(OrtSupport.outputs(vae).keySet()).containsExactly("sample");
    }

    @Test
    void textEncoderEmbedsColourTokensAsCentredRgbAndEverythingElseAsZero() throws OrtException {
        int bos = vocab.get("<|startoftext|>").asInt();
        int eos = vocab.get("<|endoftext|>").asInt();
        int red = vocab.get("red</w>").asInt();
        int teal = vocab.get("teal</w>").asInt();
        int a = vocab.get("a</w>").asInt();
        int[] ids = {bos, a, red, teal, eos, eos};
        try (OnnxTensor input = ints(ids, 1, ids.length);
             OrtSession.Result result = textEncoder.run(Map.of("input_ids", input))) {
            float[] states = floatOutput(result, "last_hidden_state").data();
            assertThat(row(states, 2)).containsExactly(1f, -1f, -1f, 1f);
            assertThat(row(states, 3)).containsExactly(-1f, 0f, 0f, 1f);
            for (int position : new int[] {0, 1, 4, 5}) {
                assertThat(row(states, position)).as("position " + position).containsOnly(0f);
            }
            assertThat(floatOutput(result, "pooler_output").data()).containsOnly(0f);
        }
    }

    @Test
    void unetMatchesTheDefinitionAtIntegerAndFractionalTimesteps() throws OrtException {
        float[] acp = Sd15NoiseSchedule.alphasCumprod();
        int h = 3;
        int w = 5;
        float[] states = colourStates(List.of("orange", "navy"));
        double[] colour = ColourOracleModel.promptColour(List.of("orange", "navy"));
        for (float t : new float[] {0f, 1f, 0.25f, 499.5f, 946.4211f, 998.9f, 999f}) {
            float[] sample = gaussian(Float.floatToIntBits(t), 4 * h * w);
            float[] eps = runUnet(sample, t, states, h, w);
            double sigma = interpolatedSigma(acp, t);
            for (int c = 0; c < 4; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int i = (c * h + y) * w + x;
                        double x0 = ColourOracleModel.cleanLatent(colour, c, y, x);
                        double expected = (sample[i] * Math.sqrt(1 + sigma * sigma) - x0) / sigma;
                        assertThat((double) eps[i]).as("t=%s c=%d y=%d x=%d", t, c, y, x)
                                .isCloseTo(expected, org.assertj.core.data.Offset.offset(2e-6 * (1 + Math.abs(expected))));
                    }
                }
            }
        }
    }

    @Test
    void unetReturnsTheNoiseOfASampleNoisedToItsTimestep() throws OrtException {
        // The defining property in the scheduler's own terms: x_t = sqrt(acp[t]) x0 + sqrt(1 - acp[t]) n.
        float[] acp = Sd15NoiseSchedule.alphasCumprod();
        int h = 2;
        int w = 4;
        float[] states = colourStates(List.of("red"));
        double[] colour = ColourOracleModel.promptColour(List.of("red"));
        for (int t : new int[] {0, 1, 261, 999}) {
            float[] noise = gaussian(t + 7, 4 * h * w);
            float[] sample = new float[noise.length];
            for (int c = 0; c < 4; c++) {
                for (int p = 0; p < h * w; p++) {
                    int i = c * h * w + p;
                    double x0 = ColourOracleModel.cleanLatent(colour, c, p / w, p % w);
                    sample[i] = (float) (Math.sqrt(acp[t]) * x0 + Math.sqrt(1 - acp[t]) * noise[i]);
                }
            }
            float[] eps = runUnet(sample, t, states, h, w);
            // float32 x_t: an input rounding of 6e-8 becomes 6e-8 / sqrt(1 - acp) in eps (2e-6 at t = 0).
            assertThat(OrtSupport.maxAbsDifference(eps, noise)).as("t=" + t).isLessThan(1e-5);
        }
    }

    @Test
    void promptWithoutColourWordsHasColourZeroAndEachBatchItemItsOwnColour() throws OrtException {
        float[] plain = colourStates(List.of());
        float[] blue = colourStates(List.of("blue"));
        float[] both = new float[plain.length + blue.length];
        System.arraycopy(plain, 0, both, 0, plain.length);
        System.arraycopy(blue, 0, both, plain.length, blue.length);
        float[] sample = new float[2 * 4];
        // Latent 1x1, t = 0: eps = (x_in*sqrt(1+s^2) - x0)/s with x_in = 0, so x0 = -s*eps.
        try (OnnxTensor x = floats(sample, 2, 4, 1, 1);
             OnnxTensor t = floats(new float[] {0f}, 1);
             OnnxTensor text = floats(both, 2, plain.length / ColourOracleModel.HIDDEN_SIZE, ColourOracleModel.HIDDEN_SIZE);
             OrtSession.Result result = unet.run(Map.of("sample", x, "timestep", t, "encoder_hidden_states", text))) {
            float[] eps = floatOutput(result, "out_sample").data();
            double sigma = interpolatedSigma(Sd15NoiseSchedule.alphasCumprod(), 0f);
            for (int c = 0; c < 4; c++) {
                assertThat(-sigma * eps[c]).isCloseTo(ColourOracleModel.pattern(c, 0, 0), org.assertj.core.data.Offset.offset(1e-7));
                assertThat(-sigma * eps[4 + c]).isCloseTo(
                        ColourOracleModel.cleanLatent(new double[] {-1, -1, 1}, c, 0, 0), org.assertj.core.data.Offset.offset(1e-7));
            }
        }
    }

    @Test
    void vaeDecoderIsTheLinearMapUpsampledInBlocksOfEight() throws OrtException {
        int h = 2;
        int w = 3;
        float[] latent = gaussian(11, 4 * h * w);
        try (OnnxTensor input = floats(latent, 1, 4, h, w);
             OrtSession.Result result = vae.run(Map.of("latent_sample", input))) {
            FloatResult image = floatOutput(result, "sample");
            assertThat(image.shape()).containsExactly(1, 3, 8 * h, 8 * w);
            for (int o = 0; o < 3; o++) {
                for (int y = 0; y < 8 * h; y++) {
                    for (int x = 0; x < 8 * w; x++) {
                        double[] z = new double[4];
                        for (int c = 0; c < 4; c++) {
                            z[c] = latent[(c * h + y / 8) * w + x / 8];
                        }
                        assertThat((double) image.data()[(o * 8 * h + y) * 8 * w + x])
                                .isCloseTo(ColourOracleModel.decode(z, o), org.assertj.core.data.Offset.offset(1e-6));
                    }
                }
            }
        }
    }

    @Test
    void patternChangesUnderEveryFlipAndTranspose() {
        int n = 6;
        double flipX = 0;
        double flipY = 0;
        double transpose = 0;
        for (int c = 0; c < 4; c++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    double p = ColourOracleModel.pattern(c, y, x);
                    flipX = Math.max(flipX, Math.abs(p - ColourOracleModel.pattern(c, y, n - 1 - x)));
                    flipY = Math.max(flipY, Math.abs(p - ColourOracleModel.pattern(c, n - 1 - y, x)));
                    transpose = Math.max(transpose, Math.abs(p - ColourOracleModel.pattern(c, x, y)));
                }
            }
        }
        assertThat(flipX).isGreaterThan(0.05);
        assertThat(flipY).isGreaterThan(0.05);
        assertThat(transpose).isGreaterThan(0.05);
    }

    @Test
    void alphasCumprodIsTorchsBitForBit() throws IOException {
        float[] acp = Sd15NoiseSchedule.alphasCumprod();
        assertThat(acp[0]).isEqualTo(0.99915f);
        String referenceDir = System.getProperty("sdq.reference.dir");
        Path common = referenceDir == null ? null : Path.of(referenceDir, "schedulers", "common.json");
        assumeTrue(common != null && Files.isRegularFile(common), "reference data present");
        JsonNode reference = JSON.readTree(common.toFile()).get("alphas_cumprod");
        float[] expected = new float[reference.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Float.parseFloat(reference.get(i).asText());
        }
        assertThat(acp).containsExactly(expected);
    }

    @Test
    void generatingTwiceGivesByteIdenticalFilesAndTheBuildOutputIsCurrent() throws IOException {
        Path again = root.resolve("again");
        ColourOracleModel.write(again);
        Map<String, byte[]> first = TinyRandomModelFilesTest.files(model);
        Map<String, byte[]> second = TinyRandomModelFilesTest.files(again);
        assertThat(second.keySet()).isEqualTo(first.keySet());
        first.forEach((name, bytes) -> assertThat(second.get(name)).as(name).isEqualTo(bytes));
        String target = System.getProperty("sdq.models.target");
        assumeTrue(target != null && Files.isDirectory(Path.of(target, ColourOracleModel.NAME)), "run by Maven");
        Map<String, byte[]> built = TinyRandomModelFilesTest.files(Path.of(target, ColourOracleModel.NAME));
        assertThat(built.keySet()).isEqualTo(first.keySet());
        first.forEach((name, bytes) -> assertThat(built.get(name)).as(name).isEqualTo(bytes));
    }

    // ------------------------------------------------------------------ helpers

    /** sqrt((1-acp)/acp) interpolated linearly in t, in double from the float32 table. */
    static double interpolatedSigma(float[] acp, float t) {
        int lo = (int) Math.floor(t);
        int hi = Math.min(lo + 1, acp.length - 1);
        double sLo = Math.sqrt((1.0 - acp[lo]) / acp[lo]);
        double sHi = Math.sqrt((1.0 - acp[hi]) / acp[hi]);
        return sLo + (t - lo) * (sHi - sLo);
    }

    /** Encoder states of [BOS, "a", colours..., EOS...] (8 tokens) through the real text encoder. */
    private static float[] colourStates(List<String> colours) throws OrtException {
        int eos = vocab.get("<|endoftext|>").asInt();
        int[] ids = new int[8];
        ids[0] = vocab.get("<|startoftext|>").asInt();
        ids[1] = vocab.get("a</w>").asInt();
        for (int i = 0; i < colours.size(); i++) {
            ids[2 + i] = vocab.get(colours.get(i) + "</w>").asInt();
        }
        Arrays.fill(ids, colours.size() + 2, ids.length, eos);
        try (OnnxTensor input = ints(ids, 1, ids.length);
             OrtSession.Result result = textEncoder.run(Map.of("input_ids", input))) {
            return floatOutput(result, "last_hidden_state").data();
        }
    }

    private static float[] runUnet(float[] sample, float t, float[] states, int h, int w) throws OrtException {
        int seq = states.length / ColourOracleModel.HIDDEN_SIZE;
        try (OnnxTensor x = floats(sample, 1, 4, h, w);
             OnnxTensor ts = floats(new float[] {t}, 1);
             OnnxTensor text = floats(states, 1, seq, ColourOracleModel.HIDDEN_SIZE);
             OrtSession.Result result = unet.run(Map.of("sample", x, "timestep", ts, "encoder_hidden_states", text))) {
            return floatOutput(result, "out_sample").data();
        }
    }

    private static float[] row(float[] states, int position) {
        int n = ColourOracleModel.HIDDEN_SIZE;
        return Arrays.copyOfRange(states, position * n, (position + 1) * n);
    }
}
