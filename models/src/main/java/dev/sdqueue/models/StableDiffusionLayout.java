package dev.sdqueue.models;

import dev.sdqueue.models.tokenizer.ClipBpeVocabulary;
import dev.sdqueue.models.tokenizer.ClipTokenizerFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** File names and the JSON files shared by every generated model folder (diffusers/Optimum ONNX layout). */
public final class StableDiffusionLayout {

    public static final String MODEL_INDEX = "model_index.json";
    public static final String TOKENIZER = "tokenizer";
    public static final String TEXT_ENCODER = "text_encoder";
    public static final String UNET = "unet";
    public static final String VAE_DECODER = "vae_decoder";
    public static final String SCHEDULER = "scheduler";
    public static final String ONNX_FILE = "model.onnx";
    /** Name Optimum gives the external weights of a large export. */
    public static final String ONNX_DATA_FILE = "model.onnx_data";
    public static final String CONFIG_FILE = "config.json";
    public static final String SCHEDULER_CONFIG_FILE = "scheduler_config.json";
    /** SD 1.x/2.x latent scaling factor. */
    public static final double VAE_SCALING_FACTOR = 0.18215;
    /** The diffusers version SD 1.5's own JSON files name. */
    static final String DIFFUSERS_VERSION = "0.6.0";

    private StableDiffusionLayout() {
    }

    /**
     * {@code unet/config.json} as diffusers writes it, with the keys consumers read (sample size → default image
     * size, channels, cross-attention width); {@code extra} adds architecture keys of a particular model.
     */
    public static Map<String, Object> unetConfig(int latentChannels, int crossAttentionDim, int sampleSize,
                                                 Map<String, Object> extra) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_class_name", "UNet2DConditionModel");
        config.put("_diffusers_version", DIFFUSERS_VERSION);
        config.putAll(extra);
        config.put("cross_attention_dim", crossAttentionDim);
        config.put("in_channels", latentChannels);
        config.put("out_channels", latentChannels);
        config.put("sample_size", sampleSize);
        return config;
    }

    /** {@code vae_decoder/config.json}: an 8x decoder from {@code latentChannels} to RGB. */
    public static Map<String, Object> vaeDecoderConfig(int latentChannels, int imageSize) {
        int rgb = 3;
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_class_name", "AutoencoderKL");
        config.put("_diffusers_version", DIFFUSERS_VERSION);
        // Four blocks, as in SD: consumers derive the x8 VAE scale factor as 2^(len - 1).
        config.put("block_out_channels", List.of(rgb, rgb, rgb, rgb));
        config.put("in_channels", rgb);
        config.put("latent_channels", latentChannels);
        config.put("out_channels", rgb);
        config.put("sample_size", imageSize);
        config.put("scaling_factor", VAE_SCALING_FACTOR);
        return config;
    }

    /**
     * The files every generated SD 1.5-style folder shares: {@code model_index.json}, the tokenizer files of
     * {@code vocabulary} and SD 1.5's {@code scheduler/scheduler_config.json}.
     */
    public static void writeSd15Common(Path dir, ClipBpeVocabulary vocabulary, String modelName) throws IOException {
        writeSd15Common(dir, vocabulary, modelName, modelIndex());
    }

    /** As {@link #writeSd15Common(Path, ClipBpeVocabulary, String)} with the given {@code model_index.json} content. */
    public static void writeSd15Common(Path dir, ClipBpeVocabulary vocabulary, String modelName,
                                       Map<String, Object> modelIndex) throws IOException {
        writeJson(dir.resolve(MODEL_INDEX), modelIndex);
        ClipTokenizerFiles.write(vocabulary, dir.resolve(TOKENIZER), "sdqueue/" + modelName);
        writeJson(dir.resolve(SCHEDULER).resolve(SCHEDULER_CONFIG_FILE), sd15SchedulerConfig());
    }

    /**
     * {@code model_index.json}: a {@code StableDiffusionPipeline} whose components are the folders present
     * (ONNX components as diffusers' ONNX exports name them), no safety checker.
     */
    public static Map<String, Object> modelIndex() {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("_class_name", "StableDiffusionPipeline");
        index.put("_diffusers_version", DIFFUSERS_VERSION);
        index.put("feature_extractor", Arrays.asList(null, null));
        index.put("requires_safety_checker", false);
        index.put("safety_checker", Arrays.asList(null, null));
        index.put(SCHEDULER, List.of("diffusers", "PNDMScheduler"));
        index.put(TEXT_ENCODER, List.of("diffusers", "OnnxRuntimeModel"));
        index.put(TOKENIZER, List.of("transformers", "CLIPTokenizer"));
        index.put(UNET, List.of("diffusers", "OnnxRuntimeModel"));
        index.put(VAE_DECODER, List.of("diffusers", "OnnxRuntimeModel"));
        return index;
    }

    /** Stable Diffusion 1.5's {@code scheduler/scheduler_config.json}, key for key (note: no timestep_spacing). */
    public static Map<String, Object> sd15SchedulerConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_class_name", "PNDMScheduler");
        config.put("_diffusers_version", DIFFUSERS_VERSION);
        config.put("beta_end", 0.012);
        config.put("beta_schedule", "scaled_linear");
        config.put("beta_start", 0.00085);
        config.put("clip_sample", false);
        config.put("num_train_timesteps", 1000);
        config.put("prediction_type", "epsilon");
        config.put("set_alpha_to_one", false);
        config.put("skip_prk_steps", true);
        config.put("steps_offset", 1);
        config.put("trained_betas", null);
        return config;
    }

    /** Writes {@code value} as indented JSON (diffusers' layout), creating parent folders. */
    public static void writeJson(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Json.pretty(value), StandardCharsets.UTF_8);
    }
}
