package dev.sdqueue.pipeline;

import dev.sdqueue.pipeline.onnx.ModelLoader;
import dev.sdqueue.pipeline.onnx.StableDiffusionModel;
import dev.sdqueue.pipeline.onnx.TextEncoder;
import dev.sdqueue.pipeline.onnx.UNet;
import dev.sdqueue.pipeline.onnx.VaeDecoder;
import dev.sdqueue.pipeline.scheduler.Scheduler;
import dev.sdqueue.pipeline.scheduler.Schedulers;
import dev.sdqueue.pipeline.scheduler.UnsupportedSchedulerException;
import dev.sdqueue.pipeline.tokenizer.TokenizedPrompt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Stable Diffusion text-to-image on ONNX Runtime, as diffusers' StableDiffusionPipeline runs it:
 * tokenize → text encoder → (noise → scheduler loop with classifier-free guidance) → latents /
 * scaling factor → VAE decoder → clamp((x+1)/2) → 8-bit RGB → PNG.
 *
 * <p>Memory is bounded by the configured {@link PipelineOptions#maxBatch()}: the images of a request
 * are denoised in batches of at most that many (one UNet call per step for the whole batch, two rows
 * per image with guidance), and the VAE decodes one image at a time, each turned into its PNG before
 * the next is decoded ({@link #generate}), or handed back as RGB for the caller to encode
 * ({@link #generateDecoded}). Image i is the same whichever batch it ran in (see {@link DenoiseLoop}).
 *
 * <p>{@link #generate} keeps all per-request state local, so one pipeline may serve several threads
 * (ONNX Runtime sessions allow concurrent runs), though a worker normally runs one job at a time.
 */
public final class StableDiffusionPipeline implements AutoCloseable {

    /** The VAE as the pipeline calls it: one image's latents ([4, h, w] at {@code offset}, already unscaled). */
    @FunctionalInterface
    interface LatentDecoder {
        VaeDecoder.Decoded decode(float[] latents, int offset, int h, int w);
    }

    /** Test seam: wrappers around the UNet and VAE calls, to observe batch sizes and ordering. */
    record Instrumentation(UnaryOperator<DenoiseLoop.NoisePredictor> unet, UnaryOperator<LatentDecoder> vae) {
        static final Instrumentation NONE = new Instrumentation(UnaryOperator.identity(), UnaryOperator.identity());
    }

    private final StableDiffusionModel model;
    private final int maxBatch;
    private final Instrumentation hooks;

    private StableDiffusionPipeline(StableDiffusionModel model, int maxBatch, Instrumentation hooks) {
        this.model = model;
        this.maxBatch = maxBatch;
        this.hooks = hooks;
    }

    /**
     * Loads a model folder (diffusers/Optimum ONNX layout).
     *
     * @throws ModelLoadException if a file is missing, a tensor is unexpected or a provider is unsupported
     */
    public static StableDiffusionPipeline load(Path modelDir, PipelineOptions options, LoadListener progress) {
        return load(modelDir, options, progress, Instrumentation.NONE);
    }

    static StableDiffusionPipeline load(Path modelDir, PipelineOptions options, LoadListener progress,
                                        Instrumentation hooks) {
        return new StableDiffusionPipeline(ModelLoader.load(modelDir, options,
                progress == null ? LoadListener.NONE : progress), options.maxBatch(), hooks);
    }

    /** The scheduler names a request may ask for ({@code ddim}, {@code euler_a}, ...), in a stable order. */
    public static List<String> schedulerNames() {
        return Schedulers.names();
    }

    /** Whether {@code name} is a scheduler name or a diffusers scheduler class name this pipeline runs. */
    public static boolean supportsScheduler(String name) {
        return Schedulers.isSupported(name);
    }

    public ModelInfo info() {
        return model.info();
    }

    /** Most images denoised together in one batch. */
    public int maxBatch() {
        return maxBatch;
    }

    /** {@link #generate(GenerationParams, StepListener, ImageListener)} without an image listener. */
    public GenerationResult generate(GenerationParams params, StepListener listener) {
        return generate(params, listener, null);
    }

    /**
     * Generates {@code params.numImages()} images in batches of at most {@link #maxBatch()}.
     * {@code listener} sees steps numbered across all batches; {@code images} (may be null) gets each
     * image as soon as its PNG is encoded.
     *
     * @throws InvalidGenerationParamsException bad size/scheduler/steps for this model (not retriable)
     * @throws InferenceException               ONNX Runtime failed (possibly transient)
     */
    public GenerationResult generate(GenerationParams params, StepListener listener, ImageListener images) {
        ImageListener sink = images == null ? ImageListener.NONE : images;
        List<GeneratedImage> out = new ArrayList<>(params.numImages());
        long[] pngNanos = {0};
        StepControl steps = listener == null ? StepControl.ALWAYS : StepControl.observing(listener);
        Decoded run = run(params, steps, decoded -> {
            long ts = System.nanoTime();
            GeneratedImage image = new GeneratedImage(decoded.index(), decoded.seed(), decoded.width(),
                    decoded.height(), decoded.encodePng());
            pngNanos[0] += System.nanoTime() - ts;
            out.add(image);
            sink.onImage(image);
        });
        StageTimings t = run.timings();
        StageTimings timings = new StageTimings(t.tokenize(), t.textEncoder(), t.unetSteps(), t.denoise(),
                t.vaeDecode(), Duration.ofNanos(pngNanos[0]), since(run.startNanos()));
        return new GenerationResult(out, run.scheduler(), run.unetSteps(), timings, run.truncatedPrompt(),
                run.truncatedNegativePrompt());
    }

    /**
     * Like {@link #generate(GenerationParams, StepListener)} but stops after the VAE: the images come back as RGB,
     * for the caller to PNG-encode elsewhere (a worker does it while the model runs its next job). The timings'
     * {@code pngEncode} is zero and {@code total} ends with the last VAE decode. {@code control} may stop the run
     * after any step: the result is then {@link DecodedGeneration#stopped()}, without images.
     */
    public DecodedGeneration generateDecoded(GenerationParams params, StepControl control) {
        List<DecodedImage> out = new ArrayList<>(params.numImages());
        Decoded run = run(params, control == null ? StepControl.ALWAYS : control, out::add);
        return new DecodedGeneration(out, run.scheduler(), run.unetSteps(), run.stepsRun(), run.timings(),
                run.truncatedPrompt(), run.truncatedNegativePrompt());
    }

    /** What {@link #run} hands back besides the images. */
    private record Decoded(String scheduler, int unetSteps, int stepsRun, StageTimings timings,
                           String truncatedPrompt, String truncatedNegativePrompt, long startNanos) {
    }

    /**
     * Everything up to and including the VAE; {@code sink} gets each image right after it is decoded. Ends early,
     * without decoding, when {@code steps} answers {@link StepControl.Continuation#STOP}.
     */
    private Decoded run(GenerationParams params, StepControl steps, Consumer<DecodedImage> sink) {
        long t0 = System.nanoTime();
        Scheduler first = scheduler(params); // fails on a bad scheduler or step count before any work
        boolean cfg = params.classifierFreeGuidance();
        int h = params.height() / 8;
        int w = params.width() / 8;
        int perImage = 4 * h * w;
        int batches = (params.numImages() + maxBatch - 1) / maxBatch;
        int stepsPerBatch = first.numSteps();
        int totalSteps = batches * stepsPerBatch;

        long ts = System.nanoTime();
        TokenizedPrompt cond = model.tokenizer().encode(params.prompt());
        TokenizedPrompt uncond = cfg ? model.tokenizer().encode(params.effectiveNegativePrompt()) : null;
        Duration tokenize = since(ts);

        ts = System.nanoTime();
        int[][] ids = cfg ? new int[][] {uncond.inputIds(), cond.inputIds()} : new int[][] {cond.inputIds()};
        TextEncoder.Encoded encoded = model.textEncoder().encode(ids);
        Duration textEncoder = since(ts);

        LatentDecoder vae = hooks.vae().apply(model.vaeDecoder()::decode);
        float inverseScale = (float) (1.0 / model.info().latentScale());
        List<Duration> stepTimes = new ArrayList<>(totalSteps);
        long denoiseNanos = 0;
        long vaeNanos = 0;
        long outsideNanos = 0; // time spent in the sink, not in the model
        int stepsRun = 0;
        boolean stopped = false;
        for (int b = 0; b < batches && !stopped; b++) {
            int start = b * maxBatch;
            int count = Math.min(maxBatch, params.numImages() - start);
            ts = System.nanoTime();
            Scheduler scheduler = b == 0 ? first : scheduler(params);
            DenoiseLoop loop = new DenoiseLoop(scheduler, params.seed() + start, count, perImage, params.guidanceScale());
            float[] states = batchStates(encoded, count, cfg);
            try (UNet.Run run = model.unet().begin(loop.unetBatch(), h, w, states, encoded.seq(), encoded.hidden())) {
                DenoiseLoop.NoisePredictor unet = hooks.unet().apply(run::predict);
                for (int k = 0; k < stepsPerBatch && !stopped; k++) {
                    long s0 = System.nanoTime();
                    loop.step(k, unet);
                    Duration took = since(s0);
                    stepTimes.add(took);
                    stepsRun++;
                    stopped = steps.afterStep(stepsRun, totalSteps, took) == StepControl.Continuation.STOP;
                }
            }
            denoiseNanos += System.nanoTime() - ts;
            if (stopped) {
                break;
            }

            float[] latents = loop.latents();
            for (int i = 0; i < count; i++) {
                ts = System.nanoTime();
                int offset = i * perImage;
                for (int j = offset; j < offset + perImage; j++) {
                    latents[j] *= inverseScale;
                }
                VaeDecoder.Decoded decoded = vae.decode(latents, offset, h, w);
                int index = start + i;
                long seed = params.seed() + index;
                Map<String, String> text = new LinkedHashMap<>();
                text.put("parameters", ImageMetadata.parameters(params, seed, first.name(), model.info().name()));
                DecodedImage image = new DecodedImage(index, seed, decoded.width(), decoded.height(), toRgb(decoded),
                        text);
                vaeNanos += System.nanoTime() - ts;
                ts = System.nanoTime();
                sink.accept(image);
                outsideNanos += System.nanoTime() - ts;
            }
        }

        StageTimings timings = new StageTimings(tokenize, textEncoder, stepTimes, Duration.ofNanos(denoiseNanos),
                Duration.ofNanos(vaeNanos), Duration.ZERO, Duration.ofNanos(System.nanoTime() - t0 - outsideNanos));
        return new Decoded(first.name(), totalSteps, stepsRun, timings, cond.truncatedText(),
                uncond == null ? "" : uncond.truncatedText(), t0);
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

    /** Encoder states in UNet batch order: [uncond x images; cond x images] (or cond x images). */
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
