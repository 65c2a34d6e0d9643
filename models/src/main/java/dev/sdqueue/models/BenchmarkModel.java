package dev.sdqueue.models;

import static dev.sdqueue.models.StableDiffusionLayout.CONFIG_FILE;
import static dev.sdqueue.models.StableDiffusionLayout.ONNX_DATA_FILE;
import static dev.sdqueue.models.StableDiffusionLayout.ONNX_FILE;
import static dev.sdqueue.models.StableDiffusionLayout.UNET;
import static dev.sdqueue.models.TinyRandomGraphs.HIDDEN_SIZE;
import static dev.sdqueue.models.TinyRandomGraphs.LATENT_CHANNELS;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.sdqueue.models.onnx.OnnxGraphBuilder;
import dev.sdqueue.models.onnx.OnnxModelWriter;
import dev.sdqueue.models.onnx.OnnxValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Benchmark-only model folders (<b>never a default</b>) with tiny-random's interface and a UNet whose cost is
 * real convolution compute, sized so that one job (20 steps, 256x256, guidance 7.5, so UNet batch 2 on a 32x32
 * latent) takes a known model time on the project's 2-core CPU. Tokenizer, scheduler, text encoder and VAE
 * decoder are tiny-random's files byte for byte, so the worker loads these folders unchanged and the VAE stays
 * negligible; only {@code unet/} and the {@code _sdq_benchmark} marker in {@code model_index.json} differ.
 */
public final class BenchmarkModel {

    /** {@code model_index.json} key marking a benchmark model (diffusers ignores keys starting with '_'). */
    public static final String MARKER_KEY = "_sdq_benchmark";
    /** The job the variants are calibrated for: 256x256 images, i.e. 32x32 latents (also the folders' default size). */
    public static final int LATENT_SIZE = 32;
    static final long SEED = 0xBE_0C4_2025L;

    /**
     * One benchmark UNet: conv3x3 4→C with the timestep and text biases, {@code layers} residual blocks
     * {@code h += conv3x3_CxC(SiLU(h))}, then conv3x3 C→4. Per UNet run at batch b on an h x w latent that is
     * about {@code 2·9·C²·layers·b·h·w} FLOPs; see models/README.md for the measured times. The blocks cycle
     * through {@code weightTensors} distinct CxC weights (each block keeps its own bias): the time comes from
     * FLOPs, and sharing keeps the files at a few MB.
     */
    public record Variant(String name, int channels, int layers, int weightTensors, String purpose) {

        public Variant {
            if (channels < 1 || layers < 1 || weightTensors < 1 || weightTensors > layers) {
                throw new IllegalArgumentException("need channels, layers >= 1 and 1 <= weightTensors <= layers");
            }
        }

        /** Multiply-adds of one UNet run at batch 2 on the calibration latent (the trunk dominates). */
        public long multiplyAddsPerRun() {
            long pixels = 2L * LATENT_SIZE * LATENT_SIZE;
            long perPixel = 9L * channels * (LATENT_CHANNELS + (long) layers * channels + LATENT_CHANNELS);
            return pixels * perPixel;
        }
    }

    public static final Variant BENCH_100MS = new Variant("bench-100ms", 64, 2, 2,
            "Benchmark-only model (random weights, never a default): its UNet is sized so that one 20-step 256x256"
                    + " job at guidance 7.5 takes about 100 ms of model time on the project's 2-core CPU.");
    public static final Variant BENCH_1S = new Variant("bench-1s", 128, 14, 4,
            "Benchmark-only model (random weights, never a default): its UNet is sized so that one 20-step 256x256"
                    + " job at guidance 7.5 takes about 1 s of model time on the project's 2-core CPU.");
    public static final List<Variant> VARIANTS = List.of(BENCH_100MS, BENCH_1S);

    private BenchmarkModel() {
    }

    /** Writes {@code variant}'s folder to {@code dir}, replacing whatever was there (readers never see a partial folder). */
    public static void write(Path dir, Variant variant) throws IOException {
        ModelFolder.writeAtomically(dir, staging -> writeInto(staging, variant));
    }

    private static void writeInto(Path dir, Variant variant) throws IOException {
        // Sorted keys, as diffusers writes them: _class_name, _diffusers_version, _sdq_benchmark, components.
        Map<String, Object> index = new TreeMap<>(StableDiffusionLayout.modelIndex());
        index.put(MARKER_KEY, variant.purpose());
        StableDiffusionLayout.writeSd15Common(dir, TinyRandomModel.vocabulary(), variant.name(), index);

        // tiny-random's generator and seed: the text encoder and VAE files are tiny-random's, byte for byte.
        DeterministicRandom tiny = new DeterministicRandom(TinyRandomModel.SEED);
        TinyRandomModel.writeTextEncoder(dir, TinyRandomModel.vocabulary(), tiny);
        TinyRandomModel.writeVaeDecoder(dir, tiny, LATENT_SIZE);

        Path unet = Files.createDirectories(dir.resolve(UNET));
        OnnxModelWriter.writeWithExternalData(unet(variant, new DeterministicRandom(SEED).fork(variant.name())),
                unet.resolve(ONNX_FILE), ONNX_DATA_FILE, TinyRandomModel.EXTERNAL_DATA_MIN_BYTES);
        Map<String, Object> architecture = new LinkedHashMap<>();
        architecture.put("block_out_channels", List.of(variant.channels()));
        architecture.put("layers_per_block", variant.layers());
        StableDiffusionLayout.writeJson(unet.resolve(CONFIG_FILE),
                StableDiffusionLayout.unetConfig(LATENT_CHANNELS, HIDDEN_SIZE, LATENT_SIZE, architecture));
    }

    /** The variant's UNet graph (tiny-random's inputs, outputs and conditioning; see {@link Variant}). */
    public static ModelProto unet(Variant variant, DeterministicRandom random) {
        int channels = variant.channels();
        OnnxGraphBuilder g = new OnnxGraphBuilder(UNET, TinyRandomGraphs.OPSET);
        OnnxValue[] inputs = TinyRandomGraphs.unetInputs(g);
        OnnxValue timeEmbedding = TinyRandomGraphs.timeEmbedding(g, inputs[1], channels, random);
        OnnxValue textEmbedding = TinyRandomGraphs.textEmbedding(g, inputs[2], channels, random);

        OnnxValue h = g.conv(inputs[0],
                TinyRandomGraphs.convWeight(g, "conv_in.weight", channels, LATENT_CHANNELS, 3, random),
                TinyRandomGraphs.bias(g, "conv_in.bias", channels, random), 3, 1);
        h = g.add(g.add(h, timeEmbedding), textEmbedding);
        // Residual branches scaled by 1/sqrt(layers) keep the activations near unit scale at any depth.
        int fanIn = channels * 9;
        double branchStd = 1 / Math.sqrt((double) fanIn * variant.layers());
        OnnxValue[] weights = new OnnxValue[variant.weightTensors()];
        for (int i = 0; i < weights.length; i++) {
            String name = "blocks.conv_weights." + i;
            weights[i] = g.initializer(name, new long[] {channels, channels, 3, 3},
                    random.fork(name).gaussian(channels * fanIn, 0, branchStd));
        }
        for (int layer = 0; layer < variant.layers(); layer++) {
            OnnxValue bias = TinyRandomGraphs.bias(g, "blocks." + layer + ".conv.bias", channels, random);
            h = g.add(h, g.conv(g.silu(h), weights[layer % weights.length], bias, 3, 1));
        }
        OnnxValue out = g.conv(g.silu(h),
                TinyRandomGraphs.convWeight(g, "conv_out.weight", LATENT_CHANNELS, channels, 3, random),
                TinyRandomGraphs.bias(g, "conv_out.bias", LATENT_CHANNELS, random), 3, 1);
        return TinyRandomGraphs.model(TinyRandomGraphs.unetOutput(g, out), variant.name(),
                variant.name() + " benchmark UNet: " + variant.layers() + " residual conv3x3 blocks of "
                        + channels + " channels (random weights)");
    }
}
