package dev.sdqueue.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.sdqueue.models.onnx.Dim;
import dev.sdqueue.models.onnx.OnnxGraphBuilder;
import dev.sdqueue.models.onnx.OnnxValue;

/**
 * The three ONNX graphs of the tiny-random model: Optimum's SD 1.5 interface (names, dtypes, dynamic
 * axes) around tiny random networks. Cheap on purpose: the point is exercising the pipeline, not images.
 */
public final class TinyRandomGraphs {

    public static final int OPSET = 17;
    public static final String PRODUCER = "sdqueue-models";
    /** Bump when the generated files change, so consumers can tell versions apart. */
    public static final String PRODUCER_VERSION = "1";

    public static final int HIDDEN_SIZE = 32;
    public static final int INTERMEDIATE_SIZE = 64;
    public static final int MAX_POSITIONS = 77;
    public static final int LATENT_CHANNELS = 4;
    public static final int UNET_CHANNELS = 16;
    /** Sinusoidal timestep embedding: this many frequencies, sin and cos each. */
    public static final int TIME_FREQUENCIES = 8;
    public static final int VAE_UPSAMPLING = 8;
    public static final int IMAGE_CHANNELS = 3;

    private static final float LAYER_NORM_EPSILON = 1e-5f;

    private TinyRandomGraphs() {
    }

    /**
     * input_ids int32 [batch, seq] → last_hidden_state [batch, seq, 32], pooler_output [batch, 32].
     * Per token: token + learned position embedding, LayerNorm, a residual quick-GELU MLP, final
     * LayerNorm (no attention, so each state sees only its own token and position). pooler_output is
     * CLIP's: the final state at the position of the highest id (the EOS token, the last id of the vocabulary).
     */
    public static ModelProto textEncoder(int vocabSize, DeterministicRandom random) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("text_encoder", OPSET);
        OnnxValue ids = g.input("input_ids", DataType.INT32, Dim.param("batch_size"), Dim.param("sequence_length"));

        OnnxValue tokenTable = g.initializer("embeddings.token_embedding.weight", new long[] {vocabSize, HIDDEN_SIZE},
                random.fork("token_embedding").gaussian(vocabSize * HIDDEN_SIZE, 0, 1));
        OnnxValue positionTable = g.initializer("embeddings.position_embedding.weight",
                new long[] {MAX_POSITIONS, HIDDEN_SIZE},
                random.fork("position_embedding").gaussian(MAX_POSITIONS * HIDDEN_SIZE, 0, 0.5));
        OnnxValue tokens = g.gather(tokenTable, ids, 0);
        // Position rows 0..seq-1: Slice the table with the runtime sequence length (Shape with start/end).
        OnnxValue sequenceLength = g.node("Shape").in(ids).attr("start", 1L).attr("end", 2L).out();
        OnnxValue positions = g.op("Slice", positionTable, g.constantLongs(0), sequenceLength, g.constantLongs(0));
        OnnxValue x = g.add(tokens, positions);

        OnnxValue h = g.layerNorm(x, layerNormScale(g, "layer_norm1", random), layerNormBias(g, "layer_norm1", random),
                LAYER_NORM_EPSILON);
        h = g.add(g.matMul(h, weight(g, "mlp.fc1.weight", HIDDEN_SIZE, INTERMEDIATE_SIZE, random)),
                bias(g, "mlp.fc1.bias", INTERMEDIATE_SIZE, random));
        h = quickGelu(g, h);
        h = g.add(g.matMul(h, weight(g, "mlp.fc2.weight", INTERMEDIATE_SIZE, HIDDEN_SIZE, random)),
                bias(g, "mlp.fc2.bias", HIDDEN_SIZE, random));
        x = g.add(x, h);
        OnnxValue lastHidden = g.layerNorm(x, layerNormScale(g, "final_layer_norm", random),
                layerNormBias(g, "final_layer_norm", random), LAYER_NORM_EPSILON);
        lastHidden = g.output(lastHidden, "last_hidden_state", DataType.FLOAT,
                Dim.param("batch_size"), Dim.param("sequence_length"), Dim.of(HIDDEN_SIZE));

        OnnxValue eosPosition = g.node("ArgMax").in(ids).attr("axis", -1L).attr("keepdims", 1L).out(); // [batch, 1]
        OnnxValue pooled = g.node("GatherND").in(lastHidden, eosPosition).attr("batch_dims", 1L).out();
        g.output(pooled, "pooler_output", DataType.FLOAT, Dim.param("batch_size"), Dim.of(HIDDEN_SIZE));
        return model(g, "tiny-random CLIP-style text encoder (random weights)");
    }

    /**
     * sample [batch, 4, h, w], timestep int64 scalar, encoder_hidden_states [batch, seq, 32] → out_sample.
     * conv3x3(4→16) + per-channel timestep embedding (sin/cos → linear) + per-channel text bias (mean over
     * the sequence → linear), SiLU, conv3x3(16→4). He-style weight scales keep the output near unit variance.
     */
    public static ModelProto unet(DeterministicRandom random) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("unet", OPSET);
        OnnxValue[] inputs = unetInputs(g);
        OnnxValue sample = inputs[0];
        OnnxValue timestep = inputs[1];
        OnnxValue text = inputs[2];
        OnnxValue timeEmbedding = timeEmbedding(g, timestep, UNET_CHANNELS, random);
        OnnxValue textEmbedding = textEmbedding(g, text, UNET_CHANNELS, random);
        OnnxValue h = g.conv(sample, convWeight(g, "conv_in.weight", UNET_CHANNELS, LATENT_CHANNELS, 3, random),
                bias(g, "conv_in.bias", UNET_CHANNELS, random), 3, 1);
        h = g.silu(g.add(g.add(h, timeEmbedding), textEmbedding));
        OnnxValue out = g.conv(h, convWeight(g, "conv_out.weight", LATENT_CHANNELS, UNET_CHANNELS, 3, random),
                bias(g, "conv_out.bias", LATENT_CHANNELS, random), 3, 1);
        return model(unetOutput(g, out), "tiny-random UNet stand-in (random weights)");
    }

    /** Optimum's UNet inputs: sample [batch, 4, h, w], timestep int64 scalar, encoder_hidden_states [batch, seq, 32]. */
    static OnnxValue[] unetInputs(OnnxGraphBuilder g) {
        OnnxValue sample = g.input("sample", DataType.FLOAT,
                Dim.param("batch_size"), Dim.of(LATENT_CHANNELS), Dim.param("height"), Dim.param("width"));
        OnnxValue timestep = g.input("timestep", DataType.INT64);
        OnnxValue text = g.input("encoder_hidden_states", DataType.FLOAT,
                Dim.param("batch_size"), Dim.param("sequence_length"), Dim.of(HIDDEN_SIZE));
        return new OnnxValue[] {sample, timestep, text};
    }

    /** Declares {@code out} as Optimum's UNet output {@code out_sample} [batch, 4, h, w]. */
    static OnnxGraphBuilder unetOutput(OnnxGraphBuilder g, OnnxValue out) {
        g.output(out, "out_sample", DataType.FLOAT,
                Dim.param("batch_size"), Dim.of(LATENT_CHANNELS), Dim.param("height"), Dim.param("width"));
        return g;
    }

    /** Sinusoidal embedding of the int64 scalar timestep (sin/cos, then linear) as a [1, channels, 1, 1] bias. */
    static OnnxValue timeEmbedding(OnnxGraphBuilder g, OnnxValue timestep, int channels, DeterministicRandom random) {
        float[] frequencies = new float[TIME_FREQUENCIES];
        for (int i = 0; i < TIME_FREQUENCIES; i++) {
            // diffusers' get_timestep_embedding: exp(-ln(10000) * i / half)
            frequencies[i] = (float) StrictMath.exp(-StrictMath.log(10000.0) * i / TIME_FREQUENCIES);
        }
        OnnxValue angles = g.mul(g.cast(timestep, DataType.FLOAT), g.constantFloats(frequencies)); // [F]
        OnnxValue timeFeatures = g.unsqueeze(g.concat(0, g.op("Sin", angles), g.op("Cos", angles)), 0); // [1, 2F]
        OnnxValue embedding = g.add(
                g.matMul(timeFeatures, weight(g, "time_embedding.weight", 2 * TIME_FREQUENCIES, channels, random)),
                bias(g, "time_embedding.bias", channels, random));
        return g.reshape(embedding, 1, channels, 1, 1);
    }

    /** Text conditioning: the mean of the encoder states over the sequence, then linear, as a [batch, channels, 1, 1] bias. */
    static OnnxValue textEmbedding(OnnxGraphBuilder g, OnnxValue text, int channels, DeterministicRandom random) {
        OnnxValue textMean = g.reduceMean(text, false, 1); // [batch, 32]
        OnnxValue embedding = g.add(
                g.matMul(textMean, weight(g, "text_projection.weight", HIDDEN_SIZE, channels, random)),
                bias(g, "text_projection.bias", channels, random));
        return g.unsqueeze(embedding, 2, 3);
    }

    /**
     * latent_sample [batch, 4, lh, lw] → sample [batch, 3, 8·lh, 8·lw] in [-1, 1]: 1x1 conv 4→3,
     * nearest ×8 upsampling, tanh. Weights are small because the pipeline feeds latents / 0.18215.
     */
    public static ModelProto vaeDecoder(DeterministicRandom random) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("vae_decoder", OPSET);
        OnnxValue latent = g.input("latent_sample", DataType.FLOAT,
                Dim.param("batch_size"), Dim.of(LATENT_CHANNELS), Dim.param("latent_height"), Dim.param("latent_width"));
        OnnxValue rgb = g.conv(latent,
                g.initializer("post_quant_conv.weight", new long[] {IMAGE_CHANNELS, LATENT_CHANNELS, 1, 1},
                        random.fork("post_quant_conv.weight").gaussian(IMAGE_CHANNELS * LATENT_CHANNELS, 0, 0.1)),
                bias(g, "post_quant_conv.bias", IMAGE_CHANNELS, random), 1, 0);
        OnnxValue image = g.op("Tanh", g.upsampleNearest(rgb, VAE_UPSAMPLING));
        g.output(image, "sample", DataType.FLOAT,
                Dim.param("batch_size"), Dim.of(IMAGE_CHANNELS), Dim.param("height"), Dim.param("width"));
        return model(g, "tiny-random VAE decoder stand-in (random weights)");
    }

    private static ModelProto model(OnnxGraphBuilder g, String doc) {
        return model(g, TinyRandomModel.NAME, doc);
    }

    /** Builds with the project's producer, opset and {@code sdqueue.model} metadata naming the folder. */
    static ModelProto model(OnnxGraphBuilder g, String modelName, String doc) {
        g.metadata("sdqueue.model", modelName);
        return g.buildModel(PRODUCER, PRODUCER_VERSION, doc);
    }

    /** CLIP's activation: x * sigmoid(1.702 x). */
    private static OnnxValue quickGelu(OnnxGraphBuilder g, OnnxValue x) {
        return g.mul(x, g.op("Sigmoid", g.mul(x, g.constantScalar(1.702f))));
    }

    /** Dense [in, out] weight with variance 1/in, so unit-variance inputs give unit-variance outputs. */
    static OnnxValue weight(OnnxGraphBuilder g, String name, int in, int out, DeterministicRandom random) {
        return g.initializer(name, new long[] {in, out}, random.fork(name).gaussian(in * out, 0, 1 / Math.sqrt(in)));
    }

    static OnnxValue convWeight(OnnxGraphBuilder g, String name, int out, int in, int kernel,
            DeterministicRandom random) {
        int fanIn = in * kernel * kernel;
        return g.initializer(name, new long[] {out, in, kernel, kernel},
                random.fork(name).gaussian(out * fanIn, 0, 1 / Math.sqrt(fanIn)));
    }

    static OnnxValue bias(OnnxGraphBuilder g, String name, int size, DeterministicRandom random) {
        return g.initializer(name, new long[] {size}, random.fork(name).gaussian(size, 0, 0.02));
    }

    private static OnnxValue layerNormScale(OnnxGraphBuilder g, String prefix, DeterministicRandom random) {
        String name = prefix + ".weight";
        return g.initializer(name, new long[] {HIDDEN_SIZE}, random.fork(name).gaussian(HIDDEN_SIZE, 1, 0.05));
    }

    private static OnnxValue layerNormBias(OnnxGraphBuilder g, String prefix, DeterministicRandom random) {
        return bias(g, prefix + ".bias", HIDDEN_SIZE, random);
    }
}
