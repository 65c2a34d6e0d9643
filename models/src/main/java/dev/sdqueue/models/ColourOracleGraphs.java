package dev.sdqueue.models;

import static dev.sdqueue.models.ColourOracleModel.HIDDEN_SIZE;
import static dev.sdqueue.models.ColourOracleModel.IMAGE_CHANNELS;
import static dev.sdqueue.models.ColourOracleModel.LATENT_CHANNELS;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.sdqueue.models.onnx.Dim;
import dev.sdqueue.models.onnx.OnnxGraphBuilder;
import dev.sdqueue.models.onnx.OnnxValue;
import dev.sdqueue.models.onnx.Tensors;
import dev.sdqueue.models.tokenizer.ClipBpeVocabulary;

/**
 * The three ONNX graphs of the colour-oracle model (see {@link ColourOracleModel} for the maths). Interface
 * as tiny-random's except the UNet's {@code timestep}, which is float32 {@code [1]} so that the fractional
 * timesteps of Euler, Euler ancestral and LMS arrive unrounded.
 */
public final class ColourOracleGraphs {

    public static final int OPSET = TinyRandomGraphs.OPSET;
    /** Bump when the generated files change. */
    public static final String PRODUCER_VERSION = "1";
    private static final int LAST_TIMESTEP = Sd15NoiseSchedule.TRAIN_TIMESTEPS - 1;

    private ColourOracleGraphs() {
    }

    /**
     * input_ids int32 [batch, seq] → last_hidden_state [batch, seq, 4] (a table look-up: colour tokens give
     * {@code (2r-1, 2g-1, 2b-1, 1)}, all others zeros) and pooler_output [batch, 4] (the state at the EOS
     * position, CLIP-style; zeros).
     */
    public static ModelProto textEncoder(ClipBpeVocabulary vocabulary) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("text_encoder", OPSET);
        OnnxValue ids = g.input("input_ids", DataType.INT32, Dim.param("batch_size"), Dim.param("sequence_length"));
        int size = vocabulary.size();
        float[] table = new float[size * HIDDEN_SIZE];
        ColourOracleModel.COLOURS.forEach((word, rgb) -> {
            int id = vocabulary.tokens().indexOf(word + ClipBpeVocabulary.END_OF_WORD);
            if (id < 0) {
                throw new IllegalStateException("colour word '" + word + "' is not a single token of the vocabulary");
            }
            for (int k = 0; k < 3; k++) {
                table[id * HIDDEN_SIZE + k] = 2f * rgb[k] - 1f;
            }
            table[id * HIDDEN_SIZE + 3] = 1f;
        });
        OnnxValue embeddings = g.initializer("embeddings.token_embedding.weight", new long[] {size, HIDDEN_SIZE}, table);
        OnnxValue lastHidden = g.output(g.gather(embeddings, ids, 0), "last_hidden_state", DataType.FLOAT,
                Dim.param("batch_size"), Dim.param("sequence_length"), Dim.of(HIDDEN_SIZE));
        OnnxValue eosPosition = g.node("ArgMax").in(ids).attr("axis", -1L).attr("keepdims", 1L).out(); // [batch, 1]
        OnnxValue pooled = g.node("GatherND").in(lastHidden, eosPosition).attr("batch_dims", 1L).out();
        g.output(pooled, "pooler_output", DataType.FLOAT, Dim.param("batch_size"), Dim.of(HIDDEN_SIZE));
        return model(g, "colour-oracle text encoder: colour words to centred RGB + indicator, other tokens zero");
    }

    /**
     * sample [batch, 4, h, w], timestep float32 [1], encoder_hidden_states [batch, seq, 4] → out_sample:
     * {@code eps = (sample*sqrt(1+sigma^2) - x0) / sigma} with x0 from the prompt colour and the spatial
     * pattern, and sigma(t) interpolated linearly between the integer entries of SD 1.5's sigma table.
     */
    public static ModelProto unet() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("unet", OPSET);
        OnnxValue sample = g.input("sample", DataType.FLOAT,
                Dim.param("batch_size"), Dim.of(LATENT_CHANNELS), Dim.param("height"), Dim.param("width"));
        OnnxValue timestep = g.input("timestep", DataType.FLOAT, Dim.of(1));
        OnnxValue text = g.input("encoder_hidden_states", DataType.FLOAT,
                Dim.param("batch_size"), Dim.param("sequence_length"), Dim.of(HIDDEN_SIZE));

        OnnxValue x0 = g.add(colourOffsets(g, text), pattern(g, sample)); // [batch, 4, h, w]
        OnnxValue sigma = sigma(g, timestep); // [1]
        OnnxValue root = g.op("Sqrt", g.add(g.constantScalar(1f), g.mul(sigma, sigma)));
        OnnxValue eps = g.div(g.sub(g.mul(sample, root), x0), sigma);
        g.output(eps, "out_sample", DataType.FLOAT,
                Dim.param("batch_size"), Dim.of(LATENT_CHANNELS), Dim.param("height"), Dim.param("width"));
        return model(g, "colour-oracle UNet: the noise consistent with its sample, the prompt's clean latent and"
                + " the timestep's noise level");
    }

    /** Prompt colour (mean over colour tokens, zero if none) → latent channels 0..2, as [batch, 4, 1, 1]. */
    private static OnnxValue colourOffsets(OnnxGraphBuilder g, OnnxValue text) {
        OnnxValue sums = g.node("ReduceSum").in(text, g.constantLongs(1)).attr("keepdims", 0L).out(); // [batch, 4]
        OnnxValue rgbSum = g.op("Slice", sums, g.constantLongs(0), g.constantLongs(3), g.constantLongs(1));
        OnnxValue count = g.op("Slice", sums, g.constantLongs(3), g.constantLongs(4), g.constantLongs(1));
        OnnxValue colour = g.div(rgbSum, g.op("Max", count, g.constantScalar(1f))); // [batch, 3]
        float[] toLatent = new float[3 * LATENT_CHANNELS]; // [3, 4]: colour k → latent channel k
        for (int k = 0; k < 3; k++) {
            toLatent[k * LATENT_CHANNELS + k] = ColourOracleModel.COLOUR_TO_LATENT;
        }
        OnnxValue offsets = g.matMul(colour, g.initializer("colour_to_latent", new long[] {3, LATENT_CHANNELS}, toLatent));
        return g.unsqueeze(offsets, 2, 3);
    }

    /** amplitude * cos(kx*x + ky*y + phase) per channel over the sample's latent grid, as [4, h, w]. */
    private static OnnxValue pattern(OnnxGraphBuilder g, OnnxValue sample) {
        OnnxValue shape = g.op("Shape", sample);
        OnnxValue zero = g.initializer(Tensors.scalar("range_start", 0L));
        OnnxValue one = g.initializer(Tensors.scalar("range_delta", 1L));
        OnnxValue height = g.gather(shape, g.initializer(Tensors.scalar("height_axis", 2L)), 0); // rank 0
        OnnxValue width = g.gather(shape, g.initializer(Tensors.scalar("width_axis", 3L)), 0);
        OnnxValue ys = g.reshape(g.cast(g.op("Range", zero, height, one), DataType.FLOAT), 1, -1, 1);
        OnnxValue xs = g.reshape(g.cast(g.op("Range", zero, width, one), DataType.FLOAT), 1, 1, -1);
        long[] perChannel = {LATENT_CHANNELS, 1, 1};
        OnnxValue kx = g.initializer("pattern.kx", perChannel, ColourOracleModel.PATTERN_KX.clone());
        OnnxValue ky = g.initializer("pattern.ky", perChannel, ColourOracleModel.PATTERN_KY.clone());
        OnnxValue phase = g.initializer("pattern.phase", perChannel, ColourOracleModel.PATTERN_PHASE.clone());
        OnnxValue amplitude = g.initializer("pattern.amplitude", perChannel, ColourOracleModel.PATTERN_AMPLITUDE.clone());
        OnnxValue angle = g.add(g.add(g.mul(kx, xs), g.mul(ky, ys)), phase);
        return g.mul(amplitude, g.op("Cos", angle));
    }

    /** sigma(t): linear interpolation in t of sqrt((1-acp)/acp) between integer timesteps, t clipped to [0, 999]. */
    private static OnnxValue sigma(OnnxGraphBuilder g, OnnxValue timestep) {
        OnnxValue acp = g.initializer("alphas_cumprod", new long[] {Sd15NoiseSchedule.TRAIN_TIMESTEPS},
                Sd15NoiseSchedule.alphasCumprod());
        // As diffusers: sigmas = ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5, in float32.
        OnnxValue table = g.op("Sqrt", g.div(g.sub(g.constantScalar(1f), acp), acp));
        OnnxValue t = g.op("Clip", timestep, g.constantScalar(0f), g.constantScalar(LAST_TIMESTEP));
        OnnxValue lo = g.op("Floor", t);
        OnnxValue fraction = g.sub(t, lo);
        OnnxValue loIndex = g.cast(lo, DataType.INT64);
        OnnxValue hiIndex = g.op("Min", g.add(loIndex, g.initializer(Tensors.scalar("next_timestep", 1L))),
                g.initializer(Tensors.scalar("last_timestep", (long) LAST_TIMESTEP)));
        OnnxValue sigmaLo = g.gather(table, loIndex, 0);
        OnnxValue sigmaHi = g.gather(table, hiIndex, 0);
        return g.add(sigmaLo, g.mul(fraction, g.sub(sigmaHi, sigmaLo)));
    }

    /**
     * latent_sample [batch, 4, lh, lw] → sample [batch, 3, 8*lh, 8*lw]: the 1x1 linear map
     * {@link ColourOracleModel#VAE_WEIGHTS} + bias, then nearest ×8 upsampling. No tanh: values are the
     * linear map's, so the pipeline's clamp never hides an error inside the designed range.
     */
    public static ModelProto vaeDecoder() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("vae_decoder", OPSET);
        OnnxValue latent = g.input("latent_sample", DataType.FLOAT,
                Dim.param("batch_size"), Dim.of(LATENT_CHANNELS), Dim.param("latent_height"), Dim.param("latent_width"));
        float[] weights = new float[IMAGE_CHANNELS * LATENT_CHANNELS];
        for (int o = 0; o < IMAGE_CHANNELS; o++) {
            System.arraycopy(ColourOracleModel.VAE_WEIGHTS[o], 0, weights, o * LATENT_CHANNELS, LATENT_CHANNELS);
        }
        OnnxValue rgb = g.conv(latent,
                g.initializer("post_quant_conv.weight", new long[] {IMAGE_CHANNELS, LATENT_CHANNELS, 1, 1}, weights),
                g.initializer("post_quant_conv.bias", new long[] {IMAGE_CHANNELS}, ColourOracleModel.VAE_BIAS.clone()),
                1, 0);
        g.output(g.upsampleNearest(rgb, ColourOracleModel.VAE_UPSAMPLING), "sample", DataType.FLOAT,
                Dim.param("batch_size"), Dim.of(IMAGE_CHANNELS), Dim.param("height"), Dim.param("width"));
        return model(g, "colour-oracle VAE decoder: fixed linear map 4->3 and nearest x8 upsampling");
    }

    private static ModelProto model(OnnxGraphBuilder g, String doc) {
        g.metadata("sdqueue.model", ColourOracleModel.NAME);
        return g.buildModel(TinyRandomGraphs.PRODUCER, PRODUCER_VERSION, doc);
    }
}
