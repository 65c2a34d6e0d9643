package dev.sdqueue.pipeline.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdqueue.pipeline.LoadListener;
import dev.sdqueue.pipeline.ModelInfo;
import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.TensorSpec;
import dev.sdqueue.pipeline.onnx.providers.OrtProviderBinder;
import dev.sdqueue.pipeline.onnx.providers.ProviderBinder;
import dev.sdqueue.pipeline.scheduler.SchedulerConfig;
import dev.sdqueue.pipeline.scheduler.Schedulers;
import dev.sdqueue.pipeline.tokenizer.ClipTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Opens a model folder in the diffusers/Optimum ONNX layout: {@code tokenizer/},
 * {@code scheduler/scheduler_config.json}, {@code text_encoder/model.onnx},
 * {@code unet/model.onnx} (+ external data beside it), {@code vae_decoder/model.onnx}; optional
 * {@code unet/config.json} (sample_size) and {@code vae_decoder/config.json} (scaling_factor).
 * Tensor names, dtypes and ranks are read from the sessions and checked; a missing file or an
 * unexpected tensor fails with a {@link ModelLoadException} naming the file and tensor.
 */
public final class ModelLoader {

    public static final double DEFAULT_LATENT_SCALE = 0.18215;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COMPONENTS = List.of("scheduler", "tokenizer", "text_encoder", "unet", "vae_decoder");

    private ModelLoader() {
    }

    public static StableDiffusionModel load(Path modelDir, PipelineOptions options, LoadListener listener) {
        return load(modelDir, options, listener, OrtProviderBinder.INSTANCE);
    }

    /** As {@link #load(Path, PipelineOptions, LoadListener)}, adding providers through {@code binder}. */
    static StableDiffusionModel load(Path modelDir, PipelineOptions options, LoadListener listener,
                                     ProviderBinder binder) {
        if (!Files.isDirectory(modelDir)) {
            throw new ModelLoadException("model folder " + modelDir + " does not exist or is not a directory");
        }
        OrtSessions.checkProviders(options);
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "sdqueue");
        int[] index = {0};
        SchedulerConfig scheduler = step(listener, index, "scheduler", () -> readScheduler(modelDir));
        ClipTokenizer tokenizer = step(listener, index, "tokenizer", () -> readTokenizer(modelDir));
        int loadedBefore = index[0];
        return OrtSessions.withFallback(options, binder,
                OrtSessions.tensorRtProfiles(modelDir, options, tokenizer.maxLength()), listener, attempt -> {
                    index[0] = loadedBefore; // a retry with the next provider reports the networks again
                    return openNetworks(env, modelDir, listener, index, scheduler, tokenizer, attempt);
                }).value();
    }

    private static StableDiffusionModel openNetworks(OrtEnvironment env, Path modelDir, LoadListener listener,
                                                     int[] index, SchedulerConfig scheduler, ClipTokenizer tokenizer,
                                                     OrtSessions.Attempt attempt) {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            TextEncoder text = step(listener, index, "text_encoder",
                    () -> new TextEncoder(env, open(env, modelDir, "text_encoder", attempt, opened), tokenizer.maxLength()));
            UNet unet = step(listener, index, "unet", () -> new UNet(env, open(env, modelDir, "unet", attempt, opened)));
            VaeDecoder vae = step(listener, index, "vae_decoder",
                    () -> new VaeDecoder(env, open(env, modelDir, "vae_decoder", attempt, opened)));
            if (text.fixedHidden() > 0 && unet.fixedHidden() > 0 && text.fixedHidden() != unet.fixedHidden()) {
                throw new ModelLoadException("model folder " + modelDir + ": text_encoder/model.onnx produces hidden size "
                        + text.fixedHidden() + " but unet/model.onnx input 'encoder_hidden_states' expects "
                        + unet.fixedHidden());
            }
            ModelInfo info = info(modelDir, attempt.chainNames(), scheduler, tokenizer, opened);
            return new StableDiffusionModel(info, tokenizer, scheduler, text, unet, vae);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static <T> T step(LoadListener listener, int[] index, String component, Supplier<T> work) {
        long start = System.nanoTime();
        T result = work.get();
        index[0]++;
        listener.loaded(component, index[0], COMPONENTS.size(), Duration.ofNanos(System.nanoTime() - start));
        return result;
    }

    private static OnnxComponent open(OrtEnvironment env, Path dir, String component, OrtSessions.Attempt attempt,
                                      List<AutoCloseable> opened) {
        try (OrtSession.SessionOptions so = attempt.sessionOptions(component)) {
            OnnxComponent c;
            try {
                c = OnnxComponent.open(env, dir, component, so);
            } catch (ModelLoadException e) {
                throw attempt.sessionFailed(component, e);
            }
            opened.add(c);
            return c;
        }
    }

    private static SchedulerConfig readScheduler(Path dir) {
        Path file = dir.resolve("scheduler").resolve("scheduler_config.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("model folder " + dir + ": missing scheduler/scheduler_config.json");
        }
        try {
            return SchedulerConfig.read(file);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new ModelLoadException("scheduler/scheduler_config.json (" + file + "): " + e.getMessage(), e);
        }
    }

    private static ClipTokenizer readTokenizer(Path dir) {
        Path tokDir = dir.resolve("tokenizer");
        for (String f : List.of("vocab.json", "merges.txt")) {
            if (!Files.isRegularFile(tokDir.resolve(f))) {
                throw new ModelLoadException("model folder " + dir + ": missing tokenizer/" + f);
            }
        }
        try {
            return ClipTokenizer.load(tokDir);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new ModelLoadException("tokenizer (" + tokDir + "): " + e.getMessage(), e);
        }
    }

    private static ModelInfo info(Path dir, List<String> providers, SchedulerConfig scheduler, ClipTokenizer tokenizer,
                                  List<AutoCloseable> opened) {
        JsonNode unetConfig = optionalJson(dir.resolve("unet").resolve("config.json"));
        JsonNode vaeConfig = optionalJson(dir.resolve("vae_decoder").resolve("config.json"));
        int size = 512;
        if (unetConfig != null && unetConfig.path("sample_size").isInt()) {
            size = unetConfig.get("sample_size").asInt() * 8;
        }
        double scale = DEFAULT_LATENT_SCALE;
        if (vaeConfig != null && vaeConfig.path("scaling_factor").isNumber()) {
            scale = vaeConfig.get("scaling_factor").asDouble();
        }
        Map<String, List<TensorSpec>> inputs = new LinkedHashMap<>();
        Map<String, List<TensorSpec>> outputs = new LinkedHashMap<>();
        for (AutoCloseable c : opened) {
            OnnxComponent oc = (OnnxComponent) c;
            inputs.put(oc.component, oc.inputSpecs());
            outputs.put(oc.component, oc.outputSpecs());
        }
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        return new ModelInfo(name, dir, Schedulers.defaultName(scheduler), size, size, scale, tokenizer.maxLength(),
                providers, inputs, outputs);
    }

    private static JsonNode optionalJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(file + ": invalid JSON: " + e.getMessage(), e);
        }
    }
}
