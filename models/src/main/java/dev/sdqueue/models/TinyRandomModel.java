package dev.sdqueue.models;

import static dev.sdqueue.models.StableDiffusionLayout.CONFIG_FILE;
import static dev.sdqueue.models.StableDiffusionLayout.ONNX_DATA_FILE;
import static dev.sdqueue.models.StableDiffusionLayout.ONNX_FILE;
import static dev.sdqueue.models.StableDiffusionLayout.TEXT_ENCODER;
import static dev.sdqueue.models.StableDiffusionLayout.UNET;
import static dev.sdqueue.models.StableDiffusionLayout.VAE_DECODER;
import static dev.sdqueue.models.TinyRandomGraphs.HIDDEN_SIZE;
import static dev.sdqueue.models.TinyRandomGraphs.IMAGE_CHANNELS;
import static dev.sdqueue.models.TinyRandomGraphs.INTERMEDIATE_SIZE;
import static dev.sdqueue.models.TinyRandomGraphs.LATENT_CHANNELS;
import static dev.sdqueue.models.TinyRandomGraphs.MAX_POSITIONS;
import static dev.sdqueue.models.TinyRandomGraphs.UNET_CHANNELS;

import dev.sdqueue.models.onnx.OnnxModelWriter;
import dev.sdqueue.models.tokenizer.ClipBpeVocabulary;
import dev.sdqueue.models.tokenizer.ClipTokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tiny-random model folder: SD 1.5's ONNX interface and file layout with tiny random networks, a
 * tokenizer learned from a built-in prompt corpus, and SD 1.5's scheduler config. Deterministic: every
 * run writes byte-identical files.
 */
public final class TinyRandomModel {

    public static final String NAME = "tiny-random";
    public static final long SEED = 0x5D0_0E0E_2024L;
    /** 512 byte tokens + 486 merges + 2 specials = 1000 tokens. */
    public static final int MAX_MERGES = 486;
    /** Native SD 1.5 resolution: 64x64 latents, 512x512 images (any multiple of 8 works). */
    public static final int DEFAULT_LATENT_SIZE = 64;
    /** UNet initializers of at least this many bytes go to unet/model.onnx_data, as in large real exports. */
    static final long EXTERNAL_DATA_MIN_BYTES = 1024;

    private TinyRandomModel() {
    }

    /** Writes the model folder to {@code dir}, replacing whatever was there (readers never see a partial folder). */
    public static void write(Path dir) throws IOException {
        ModelFolder.writeAtomically(dir, TinyRandomModel::writeInto);
    }

    /** The tokenizer vocabulary the folder ships (same every call). */
    public static ClipBpeVocabulary vocabulary() {
        return ClipTokenizerFiles.builtInVocabulary(MAX_MERGES);
    }

    private static void writeInto(Path dir) throws IOException {
        DeterministicRandom random = new DeterministicRandom(SEED);
        ClipBpeVocabulary vocabulary = vocabulary();

        StableDiffusionLayout.writeSd15Common(dir, vocabulary, NAME);

        writeTextEncoder(dir, vocabulary, random);

        Path unet = Files.createDirectories(dir.resolve(UNET));
        OnnxModelWriter.writeWithExternalData(TinyRandomGraphs.unet(random.fork(UNET)), unet.resolve(ONNX_FILE),
                ONNX_DATA_FILE, EXTERNAL_DATA_MIN_BYTES);
        StableDiffusionLayout.writeJson(unet.resolve(CONFIG_FILE), StableDiffusionLayout.unetConfig(LATENT_CHANNELS,
                HIDDEN_SIZE, DEFAULT_LATENT_SIZE, unetArchitecture()));

        writeVaeDecoder(dir, random, DEFAULT_LATENT_SIZE);
    }

    /** {@code text_encoder/} (model + config) from {@code random}, the generator seeded with {@link #SEED}. */
    static void writeTextEncoder(Path dir, ClipBpeVocabulary vocabulary, DeterministicRandom random) throws IOException {
        Path textEncoder = Files.createDirectories(dir.resolve(TEXT_ENCODER));
        OnnxModelWriter.write(TinyRandomGraphs.textEncoder(vocabulary.size(), random.fork(TEXT_ENCODER)),
                textEncoder.resolve(ONNX_FILE));
        StableDiffusionLayout.writeJson(textEncoder.resolve(CONFIG_FILE), textEncoderConfig(vocabulary));
    }

    /** {@code vae_decoder/} (model + config); {@code latentSize} only sets the config's default sample size. */
    static void writeVaeDecoder(Path dir, DeterministicRandom random, int latentSize) throws IOException {
        Path vae = Files.createDirectories(dir.resolve(VAE_DECODER));
        OnnxModelWriter.write(TinyRandomGraphs.vaeDecoder(random.fork(VAE_DECODER)), vae.resolve(ONNX_FILE));
        StableDiffusionLayout.writeJson(vae.resolve(CONFIG_FILE), StableDiffusionLayout.vaeDecoderConfig(LATENT_CHANNELS,
                latentSize * TinyRandomGraphs.VAE_UPSAMPLING));
    }

    private static Map<String, Object> textEncoderConfig(ClipBpeVocabulary vocabulary) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_name_or_path", "sdqueue/" + NAME);
        config.put("architectures", List.of("CLIPTextModel"));
        config.put("bos_token_id", vocabulary.startOfTextId());
        config.put("eos_token_id", vocabulary.endOfTextId());
        config.put("hidden_act", "quick_gelu");
        config.put("hidden_size", HIDDEN_SIZE);
        config.put("intermediate_size", INTERMEDIATE_SIZE);
        config.put("layer_norm_eps", 1e-05);
        config.put("max_position_embeddings", MAX_POSITIONS);
        config.put("model_type", "clip_text_model");
        config.put("num_attention_heads", 0);
        config.put("num_hidden_layers", 1);
        config.put("pad_token_id", vocabulary.endOfTextId());
        config.put("projection_dim", HIDDEN_SIZE);
        config.put("torch_dtype", "float32");
        config.put("vocab_size", vocabulary.size());
        return config;
    }

    private static Map<String, Object> unetArchitecture() {
        Map<String, Object> architecture = new LinkedHashMap<>();
        architecture.put("block_out_channels", List.of(UNET_CHANNELS));
        architecture.put("layers_per_block", 1);
        return architecture;
    }
}
