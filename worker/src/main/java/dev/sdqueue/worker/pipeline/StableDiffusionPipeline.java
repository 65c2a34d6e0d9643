package dev.sdqueue.worker.pipeline;

import dev.sdqueue.worker.pipeline.onnx.ModelLoader;
import dev.sdqueue.worker.pipeline.onnx.StableDiffusionModel;
import dev.sdqueue.worker.pipeline.onnx.TextEncoder;
import dev.sdqueue.worker.pipeline.onnx.UNet;
import dev.sdqueue.worker.pipeline.onnx.VaeDecoder;
import dev.sdqueue.worker.pipeline.png.PngEncoder;
import dev.sdqueue.worker.pipeline.scheduler.NoiseSource;
import dev.sdqueue.worker.pipeline.scheduler.Scheduler;
import dev.sdqueue.worker.pipeline.scheduler.Schedulers;
import dev.sdqueue.worker.pipeline.scheduler.UnsupportedSchedulerException;
import dev.sdqueue.worker.pipeline.tokenizer.TokenizedPrompt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stable Diffusion text-to-image on ONNX Runtime, as diffusers' StableDiffusionPipeline runs it:
 * tokenize → text encoder → (noise → scheduler loop with classifier-free guidance) → latents /
 * scaling factor → VAE decoder → clamp((x+1)/2) → 8-bit RGB → PNG.
 *
 * <p>{@link #generate} keeps all per-request state local, so one pipeline may serve several threads
 * (ONNX Runtime sessions allow concurrent runs), though a worker normally runs one job at a time.
 */
public final class StableDiffusionPipeline implements AutoCloseable {

    private final StableDiffusionModel model;

    private StableDiffusionPipeline(StableDiffusionModel model) {
        this.model = model;
    }

    /**
     * Loads a model folder (diffusers/Optimum ONNX layout).
     *
     * @throws ModelLoadException if a file is missing, a tensor is unexpected or a provider is unsupported
     */
    public static StableDiffusionPipeline load(Path modelDir, PipelineOptions options, LoadListener progress) {
        return new StableDiffusionPipeline(ModelLoader.load(modelDir, options,
                progress == null ? LoadListener.NONE : progress));
    }

    public ModelInfo info() {
        return model.info();
    }

    /**
     * Generates {@code params.numImages()} images as one batch.
     *
     * @throws InvalidGenerationParamsException bad size/scheduler/steps for this model (not retriable)
     * @throws InferenceException               ONNX Runtime failed (possibly transient)
     */
    public GenerationResult generate(GenerationParams params, StepListener listener) {
        StepListener steps = listener == null ? StepListener.NONE : listener;
        long t0 = System.nanoTime();
        Scheduler scheduler = scheduler(params);
        int batch = params.numImages();
        boolean cfg = params.classifierFreeGuidance();
        int h = params.height() / 8;
        int w = params.width() / 8;
        int perImage = 4 * h * w;

        long ts = System.nanoTime();
        TokenizedPrompt cond = model.tokenizer().encode(params.prompt());
        TokenizedPrompt uncond = cfg ? model.tokenizer().encode(params.effectiveNegativePrompt()) : null;
        Duration tokenize = since(ts);

        ts = System.nanoTime();
        int[][] ids = cfg ? new int[][] {uncond.inputIds(), cond.inputIds()} : new int[][] {cond.inputIds()};
        TextEncoder.Encoded encoded = model.textEncoder().encode(ids);
        float[] states = batchStates(encoded, batch, cfg);
        Duration textEncoder = since(ts);

        ts = System.nanoTime();
        GaussianNoise[] rngs = new GaussianNoise[batch];
        float[] latents = new float[batch * perImage];
        float sigma = scheduler.initNoiseSigma();
        for (int i = 0; i < batch; i++) {
            rngs[i] = new GaussianNoise(params.seed() + i);
            rngs[i].fill(latents, i * perImage, perImage);
        }
        for (int i = 0; i < latents.length; i++) {
            latents[i] *= sigma;
        }
        // Ancestral schedulers draw each image's noise from that image's own stream.
        NoiseSource noise = dest -> {
            for (int i = 0; i < batch; i++) {
                rngs[i].fill(dest, i * perImage, perImage);
            }
        };
        int unetBatch = cfg ? 2 * batch : batch;
        float[] modelInput = new float[unetBatch * perImage];
        float[] prediction = new float[unetBatch * perImage];
        float[] guided = cfg ? new float[batch * perImage] : prediction;
        float g = (float) params.guidanceScale();
        List<Duration> stepTimes = new ArrayList<>();
        int total = scheduler.numSteps();
        try (UNet.Run run = model.unet().begin(unetBatch, h, w, states, encoded.seq(), encoded.hidden())) {
            for (int k = 0; k < total; k++) {
                long s0 = System.nanoTime();
                scheduler.scaleModelInput(latents, k, modelInput);
                if (cfg) {
                    // [uncond; cond]: the same latents twice, unconditional half first.
                    System.arraycopy(modelInput, 0, modelInput, batch * perImage, batch * perImage);
                }
                run.predict(modelInput, scheduler.timestep(k), prediction);
                if (cfg) {
                    int half = batch * perImage;
                    for (int i = 0; i < half; i++) {
                        float u = prediction[i];
                        guided[i] = u + g * (prediction[half + i] - u);
                    }
                }
                scheduler.step(guided, k, latents, latents, noise);
                Duration took = since(s0);
                stepTimes.add(took);
                steps.onStep(k + 1, total, took);
            }
        }
        Duration denoise = since(ts);

        ts = System.nanoTime();
        float inv = (float) (1.0 / model.info().latentScale());
        for (int i = 0; i < latents.length; i++) {
            latents[i] *= inv;
        }
        List<VaeDecoder.Decoded> decoded = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            decoded.add(model.vaeDecoder().decode(latents, i * perImage, h, w));
        }
        Duration vae = since(ts);

        ts = System.nanoTime();
        List<GeneratedImage> images = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            VaeDecoder.Decoded d = decoded.get(i);
            long seed = params.seed() + i;
            Map<String, String> text = new LinkedHashMap<>();
            text.put("parameters", ImageMetadata.parameters(params, seed, scheduler.name(), model.info().name()));
            byte[] png = PngEncoder.encodeRgb(d.width(), d.height(), toRgb(d), text);
            images.add(new GeneratedImage(i, seed, d.width(), d.height(), png));
        }
        Duration pngTime = since(ts);

        StageTimings timings = new StageTimings(tokenize, textEncoder, stepTimes, denoise, vae, pngTime, since(t0));
        return new GenerationResult(images, scheduler.name(), total, timings, cond.truncatedText(),
                uncond == null ? "" : uncond.truncatedText());
    }

    private Scheduler scheduler(GenerationParams params) {
        try {
            Scheduler s = Schedulers.create(params.scheduler(), model.schedulerConfig());
            s.setTimesteps(params.steps());
            return s;
        } catch (UnsupportedSchedulerException e) {
            throw new InvalidGenerationParamsException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidGenerationParamsException("scheduler " + params.scheduler() + ": " + e.getMessage(), e);
        }
    }

    /** Encoder states in UNet batch order: [uncond x batch; cond x batch] (or cond x batch). */
    private static float[] batchStates(TextEncoder.Encoded e, int batch, boolean cfg) {
        int per = e.seq() * e.hidden();
        int prompts = cfg ? 2 : 1;
        float[] out = new float[prompts * batch * per];
        for (int p = 0; p < prompts; p++) {
            for (int i = 0; i < batch; i++) {
                System.arraycopy(e.data(), p * per, out, (p * batch + i) * per, per);
            }
        }
        return out;
    }

    /** clamp((x + 1) / 2, 0, 1) * 255, rounded half to even like numpy, CHW float → interleaved RGB. */
    static byte[] toRgb(VaeDecoder.Decoded d) {
        int plane = d.height() * d.width();
        float[] chw = d.chw();
        byte[] rgb = new byte[plane * 3];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                float v = chw[c * plane + p] / 2f + 0.5f;
                v = v < 0f ? 0f : Math.min(v, 1f);
                if (Float.isNaN(v)) {
                    v = 0f;
                }
                rgb[p * 3 + c] = (byte) (int) Math.rint(v * 255f);
            }
        }
        return rgb;
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public void close() {
        model.close();
    }
}
