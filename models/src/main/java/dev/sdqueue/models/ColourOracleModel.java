package dev.sdqueue.models;

import static dev.sdqueue.models.StableDiffusionLayout.CONFIG_FILE;
import static dev.sdqueue.models.StableDiffusionLayout.ONNX_FILE;
import static dev.sdqueue.models.StableDiffusionLayout.TEXT_ENCODER;
import static dev.sdqueue.models.StableDiffusionLayout.UNET;
import static dev.sdqueue.models.StableDiffusionLayout.VAE_DECODER;

import dev.sdqueue.models.onnx.OnnxModelWriter;
import dev.sdqueue.models.tokenizer.ClipBpeVocabulary;
import dev.sdqueue.models.tokenizer.ClipTokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The <b>colour-oracle</b> model folder: an analytic model with SD 1.5's ONNX interface whose generated
 * image is known in closed form, for exact end-to-end tests of the sampling maths (models/README.md).
 *
 * <ul>
 *   <li>text_encoder: each colour word token ({@link #COLOURS}) embeds as {@code (2r-1, 2g-1, 2b-1, 1)};
 *       every other token as zeros.</li>
 *   <li>unet: the prompt colour {@code c} = mean of dims 0..2 over the colour tokens (zero if none); the
 *       clean latent {@code x0 = }{@link #cleanLatent}; it returns the noise consistent with its input
 *       sample {@code x_in}, x0 and the noise level of its timestep:
 *       {@code eps = (x_in - sqrt(a)*x0) / sqrt(1-a) = (x_in*sqrt(1+sigma^2) - x0) / sigma}, where sigma is
 *       interpolated linearly in t between the integer entries {@code sqrt((1-acp)/acp)} of SD 1.5's
 *       alphas_cumprod and {@code a = 1/(1+sigma^2)}.</li>
 *   <li>vae_decoder: {@link #decode} (a fixed 1x1 linear map 4→3) and nearest ×8 upsampling.</li>
 * </ul>
 * The static methods are the model's definition in double precision; the graphs compute the same in float32.
 */
public final class ColourOracleModel {

    public static final String NAME = "colour-oracle";
    /** Hidden size of the text states: centred R, G, B and a colour-token indicator. */
    public static final int HIDDEN_SIZE = 4;
    /** Merges of the tokenizer (as tiny-random: 1000 tokens in total). */
    public static final int MAX_MERGES = 486;
    public static final int DEFAULT_LATENT_SIZE = 64;
    public static final int LATENT_CHANNELS = 4;
    public static final int IMAGE_CHANNELS = 3;
    public static final int VAE_UPSAMPLING = 8;

    /** Colour words (each a single token) and their RGB in [0, 1]; grey and gray are both spelt. */
    public static final Map<String, float[]> COLOURS = colours();

    /**
     * Image units (before the pipeline's {@code (x+1)/2}) per unit of centred colour: 0.06, so that at
     * SD's default guidance 7.5 against an empty negative prompt (colour 0) a primary colour reaches
     * ±0.45 and the image stays inside [-1, 1].
     */
    public static final float COLOUR_GAIN = 0.06f;
    /** VAE weights [out][latent channel]: every latent channel shows in the image. */
    public static final float[][] VAE_WEIGHTS = {
        {0.45f, 0f, 0f, 0.225f},
        {0f, 0.45f, 0f, -0.225f},
        {0f, 0f, 0.45f, 0.225f},
    };
    public static final float[] VAE_BIAS = {0f, 0f, 0f};
    /**
     * Latent units per unit of centred colour in latent channels 0..2 (channel 3 carries no colour):
     * {@code COLOUR_GAIN * scaling_factor / 0.45}, so the decoded colour is {@code COLOUR_GAIN * c}.
     */
    public static final float COLOUR_TO_LATENT = (float) (COLOUR_GAIN * StableDiffusionLayout.VAE_SCALING_FACTOR / 0.45);
    /**
     * Spatial pattern per latent channel: {@code amplitude * cos(kx*x + ky*y + phase)} at latent pixel (y, x).
     * No flip, rotation or transpose of the latent grid leaves it unchanged.
     */
    public static final float[] PATTERN_AMPLITUDE = {0.04f, 0.04f, 0.04f, 0.04f};
    public static final float[] PATTERN_KX = {0.9f, -0.55f, 0.4f, 1.3f};
    public static final float[] PATTERN_KY = {0.35f, 0.8f, -0.95f, 0.6f};
    public static final float[] PATTERN_PHASE = {0.3f, 1.1f, 2.0f, -0.7f};

    private ColourOracleModel() {
    }

    /** Writes the model folder to {@code dir}, replacing whatever was there (readers never see a partial folder). */
    public static void write(Path dir) throws IOException {
        ModelFolder.writeAtomically(dir, ColourOracleModel::writeInto);
    }

    /**
     * The tokenizer vocabulary: tiny-random's prompt corpus plus the colour words, so that every colour
     * word is one token ({@code red</w>}, ...). Same every call.
     */
    public static ClipBpeVocabulary vocabulary() {
        StringBuilder corpus = new StringBuilder(ClipTokenizerFiles.builtInCorpus());
        String colourLine = String.join(" ", COLOURS.keySet());
        for (int i = 0; i < 20; i++) {
            corpus.append('\n').append(colourLine);
        }
        return ClipBpeVocabulary.train(corpus.toString(), MAX_MERGES);
    }

    /** Centred colour {@code 2*rgb - 1} of one colour word (as its token embeds it). */
    public static double[] centred(String colourWord) {
        float[] rgb = COLOURS.get(colourWord);
        if (rgb == null) {
            throw new IllegalArgumentException("not a colour word: " + colourWord);
        }
        return new double[] {2.0 * rgb[0] - 1, 2.0 * rgb[1] - 1, 2.0 * rgb[2] - 1};
    }

    /** The colour the UNet reads from a prompt with these colour words: their mean centred colour, zero if none. */
    public static double[] promptColour(List<String> colourWords) {
        double[] sum = new double[3];
        for (String word : colourWords) {
            double[] c = centred(word);
            for (int k = 0; k < 3; k++) {
                sum[k] += c[k];
            }
        }
        int count = Math.max(1, colourWords.size());
        return new double[] {sum[0] / count, sum[1] / count, sum[2] / count};
    }

    /** The clean latent x0 (latent units) of {@code channel} at latent pixel (y, x) for centred colour {@code c}. */
    public static double cleanLatent(double[] c, int channel, int y, int x) {
        double colour = channel < 3 ? COLOUR_TO_LATENT * c[channel] : 0.0;
        return colour + pattern(channel, y, x);
    }

    /** The spatial pattern part of {@link #cleanLatent}. */
    public static double pattern(int channel, int y, int x) {
        return PATTERN_AMPLITUDE[channel]
                * Math.cos((double) PATTERN_KX[channel] * x + (double) PATTERN_KY[channel] * y + PATTERN_PHASE[channel]);
    }

    /** VAE output {@code channel} (in [-1, 1] when in range) for the four VAE inputs {@code z} (= latents / 0.18215). */
    public static double decode(double[] z, int channel) {
        double v = VAE_BIAS[channel];
        for (int k = 0; k < LATENT_CHANNELS; k++) {
            v += (double) VAE_WEIGHTS[channel][k] * z[k];
        }
        return v;
    }

    private static Map<String, float[]> colours() {
        Map<String, float[]> c = new LinkedHashMap<>();
        c.put("red", new float[] {1f, 0f, 0f});
        c.put("green", new float[] {0f, 1f, 0f});
        c.put("blue", new float[] {0f, 0f, 1f});
        c.put("yellow", new float[] {1f, 1f, 0f});
        c.put("cyan", new float[] {0f, 1f, 1f});
        c.put("magenta", new float[] {1f, 0f, 1f});
        c.put("white", new float[] {1f, 1f, 1f});
        c.put("black", new float[] {0f, 0f, 0f});
        c.put("grey", new float[] {0.5f, 0.5f, 0.5f});
        c.put("gray", new float[] {0.5f, 0.5f, 0.5f});
        c.put("orange", new float[] {1f, 0.5f, 0f});
        c.put("purple", new float[] {0.5f, 0f, 0.5f});
        c.put("pink", new float[] {1f, 0.75f, 0.75f});
        c.put("brown", new float[] {0.5f, 0.25f, 0f});
        c.put("teal", new float[] {0f, 0.5f, 0.5f});
        c.put("navy", new float[] {0f, 0f, 0.5f});
        c.put("silver", new float[] {0.75f, 0.75f, 0.75f});
        c.put("gold", new float[] {1f, 0.75f, 0f});
        c.put("violet", new float[] {0.5f, 0f, 1f});
        return Collections.unmodifiableMap(c);
    }

    private static void writeInto(Path dir) throws IOException {
        ClipBpeVocabulary vocabulary = vocabulary();
        StableDiffusionLayout.writeSd15Common(dir, vocabulary, NAME);

        Path textEncoder = Files.createDirectories(dir.resolve(TEXT_ENCODER));
        OnnxModelWriter.write(ColourOracleGraphs.textEncoder(vocabulary), textEncoder.resolve(ONNX_FILE));
        StableDiffusionLayout.writeJson(textEncoder.resolve(CONFIG_FILE), textEncoderConfig(vocabulary));

        Path unet = Files.createDirectories(dir.resolve(UNET));
        OnnxModelWriter.write(ColourOracleGraphs.unet(), unet.resolve(ONNX_FILE));
        StableDiffusionLayout.writeJson(unet.resolve(CONFIG_FILE), StableDiffusionLayout.unetConfig(LATENT_CHANNELS,
                HIDDEN_SIZE, DEFAULT_LATENT_SIZE, Map.of()));

        Path vae = Files.createDirectories(dir.resolve(VAE_DECODER));
        OnnxModelWriter.write(ColourOracleGraphs.vaeDecoder(), vae.resolve(ONNX_FILE));
        StableDiffusionLayout.writeJson(vae.resolve(CONFIG_FILE), StableDiffusionLayout.vaeDecoderConfig(LATENT_CHANNELS,
                DEFAULT_LATENT_SIZE * VAE_UPSAMPLING));
    }

    private static Map<String, Object> textEncoderConfig(ClipBpeVocabulary vocabulary) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_name_or_path", "sdqueue/" + NAME);
        config.put("architectures", List.of("CLIPTextModel"));
        config.put("bos_token_id", vocabulary.startOfTextId());
        config.put("eos_token_id", vocabulary.endOfTextId());
        config.put("hidden_size", HIDDEN_SIZE);
        config.put("max_position_embeddings", ClipTokenizerFiles.MODEL_MAX_LENGTH);
        config.put("model_type", "clip_text_model");
        config.put("num_hidden_layers", 0);
        config.put("pad_token_id", vocabulary.endOfTextId());
        config.put("projection_dim", HIDDEN_SIZE);
        config.put("torch_dtype", "float32");
        config.put("vocab_size", vocabulary.size());
        return config;
    }
}
