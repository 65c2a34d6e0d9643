package dev.sdqueue.pipeline.bench;

import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.pipeline.DenoiseLoop;
import dev.sdqueue.pipeline.LoadListener;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.onnx.ModelLoader;
import dev.sdqueue.pipeline.onnx.StableDiffusionModel;
import dev.sdqueue.pipeline.onnx.TextEncoder;
import dev.sdqueue.pipeline.onnx.UNet;
import dev.sdqueue.pipeline.scheduler.Scheduler;
import dev.sdqueue.pipeline.scheduler.Schedulers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One denoising step of the pipeline's hot loop ({@link DenoiseLoop#step}) on the tiny-random model:
 * <ul>
 *   <li>{@code fullStep}: scale_model_input, [uncond; cond] copy, UNet input upload, ONNX Runtime
 *       {@code session.run}, output read-back, guidance, scheduler step;</li>
 *   <li>{@code stepWithoutSessionRun}: the same code path with the UNet call replaced by
 *       {@link UNet.Run#predictWithoutInference}, i.e. everything the Java side does per step.</li>
 * </ul>
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per step. The
 * scheduler is reset (setTimesteps + fresh latents) every {@code steps} steps, as a new generation
 * would; that cost is amortised into the per-step figures. Not a unit test: see BENCHMARKS.md and
 * {@code ./sdq bench pipeline}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DenoiseStepBenchmark {

    /** Image side in pixels (latents are size/8 square): 512 is SD 1.5's native size. */
    @Param({"512"})
    public int size;

    /** pndm (SD 1.5's default), euler_a (draws fresh noise every step), dpmpp_2m (multistep history). */
    @Param({"pndm", "euler_a", "dpmpp_2m"})
    public String scheduler;

    /** Images denoised together; with guidance each takes two UNet rows. */
    @Param({"1"})
    public int images;

    @Param({"7.5"})
    public double guidance;

    /** ONNX Runtime intra-op threads (0 = one per core). */
    @Param({"1"})
    public int threads;

    @Param({"20"})
    public int steps;

    private Path modelDir;
    private StableDiffusionModel model;
    private Scheduler schedule;
    private DenoiseLoop loop;
    private UNet.Run run;
    private DenoiseLoop.NoisePredictor unet;
    private DenoiseLoop.NoisePredictor noUnet;
    private int k;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        modelDir = Files.createTempDirectory("sdq-bench-");
        TinyRandomModel.write(modelDir.resolve(TinyRandomModel.NAME));
        model = ModelLoader.load(modelDir.resolve(TinyRandomModel.NAME),
                PipelineOptions.defaults().withIntraOpThreads(threads), LoadListener.NONE);
        boolean cfg = guidance > 1.0;
        int[][] ids = cfg
                ? new int[][] {model.tokenizer().encode("").inputIds(), model.tokenizer().encode("a red cube").inputIds()}
                : new int[][] {model.tokenizer().encode("a red cube").inputIds()};
        TextEncoder.Encoded encoded = model.textEncoder().encode(ids);
        int latent = size / 8;
        schedule = Schedulers.create(scheduler, model.schedulerConfig());
        schedule.setTimesteps(steps);
        loop = new DenoiseLoop(schedule, 42, images, 4 * latent * latent, guidance);
        int per = encoded.seq() * encoded.hidden();
        float[] states = new float[loop.unetBatch() * per];
        for (int row = 0; row < loop.unetBatch(); row++) {
            int prompt = cfg && row >= images ? 1 : 0;
            System.arraycopy(encoded.data(), prompt * per, states, row * per, per);
        }
        run = model.unet().begin(loop.unetBatch(), latent, latent, states, encoded.seq(), encoded.hidden());
        unet = run::predict;
        noUnet = run::predictWithoutInference;
        // One real step first, so the output buffer the no-UNet variant reads back holds a real prediction.
        loop.step(0, unet);
        k = 1;
    }

    private void advance() {
        if (++k == loop.numSteps()) {
            schedule.setTimesteps(steps);
            loop.reset();
            k = 0;
        }
    }

    @Benchmark
    public float fullStep() {
        loop.step(k, unet);
        advance();
        return loop.latents()[0];
    }

    @Benchmark
    public float stepWithoutSessionRun() {
        loop.step(k, noUnet);
        advance();
        return loop.latents()[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (run != null) {
            run.close();
        }
        if (model != null) {
            model.close();
        }
        if (modelDir != null) {
            try (Stream<Path> walk = Files.walk(modelDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Entry for IDEs: the same short run as ./sdq bench pipeline. */
    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(Stream.concat(Stream.of(DenoiseStepBenchmark.class.getSimpleName(), "-prof", "gc"),
                Stream.of(args)).toArray(String[]::new));
    }
}
