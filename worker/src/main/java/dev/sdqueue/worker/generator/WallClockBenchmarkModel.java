package dev.sdqueue.worker.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdqueue.pipeline.DecodedImage;
import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.pipeline.StageTimings;
import dev.sdqueue.worker.job.ImageGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A BENCHMARK model, never a default: each denoising step sleeps {@code step_ms} instead of running a network, so a
 * job costs wall time but almost no CPU. It exists to measure how jobs/s scale with worker processes on a machine
 * with fewer cores than workers (a real model would measure the CPU instead). A folder is this model when its
 * {@code model_index.json} says {@code "_class_name": "SdqWallClockBenchmark"}. Images are real PNG-sized RGB
 * (a colour ramp that depends on the seed), so encoding and upload cost what they would.
 */
public final class WallClockBenchmarkModel {
    public static final String CLASS_NAME = "SdqWallClockBenchmark";
    /** What a worker reports as its execution provider with this model: no ONNX Runtime session exists. */
    public static final String PROVIDER = "benchmark-wallclock";

    private final String name;
    private final Duration stepTime;

    private WallClockBenchmarkModel(String name, Duration stepTime) {
        this.name = name;
        this.stepTime = stepTime;
    }

    /** True when {@code modelDir}'s model_index.json names this benchmark model. */
    public static boolean isIn(Path modelDir) {
        JsonNode index = readIndex(modelDir);
        return index != null && CLASS_NAME.equals(index.path("_class_name").asText());
    }

    /** Reads the step time from the folder's model_index.json ({@code step_ms}, default 10). */
    public static WallClockBenchmarkModel load(Path modelDir) {
        JsonNode index = readIndex(modelDir);
        if (index == null || !CLASS_NAME.equals(index.path("_class_name").asText())) {
            throw new ModelLoadException(modelDir.resolve("model_index.json") + " is not a " + CLASS_NAME + " model");
        }
        double stepMs = index.path("step_ms").asDouble(10);
        if (!(stepMs >= 0 && stepMs <= 60_000)) {
            throw new ModelLoadException("step_ms must be within 0..60000, was " + stepMs);
        }
        return new WallClockBenchmarkModel(modelDir.getFileName().toString(),
                Duration.ofNanos((long) (stepMs * 1_000_000)));
    }

    private static JsonNode readIndex(Path modelDir) {
        Path file = modelDir.resolve("model_index.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public Duration stepTime() {
        return stepTime;
    }

    /**
     * Sleeps {@code steps × step_ms} (one sleep per step, each reported; {@code progress} may stop the run), then
     * makes the images.
     */
    public ImageGenerator.Output generate(ImageGenerator.Input input, ImageGenerator.StepProgress progress) {
        long t0 = System.nanoTime();
        int total = input.steps() * input.numImages();
        List<Duration> stepTimes = new ArrayList<>(total);
        for (int k = 1; k <= total; k++) {
            long s0 = System.nanoTime();
            sleep(stepTime);
            stepTimes.add(Duration.ofNanos(System.nanoTime() - s0));
            if (progress.onStep(k, total) == ImageGenerator.StepDecision.STOP) {
                long now = System.nanoTime();
                return ImageGenerator.Output.stoppedRun(timings(t0, now, now, stepTimes));
            }
        }
        long denoised = System.nanoTime();
        List<ImageGenerator.Image> images = new ArrayList<>(input.numImages());
        for (int i = 0; i < input.numImages(); i++) {
            long seed = input.seed() + i;
            DecodedImage image = new DecodedImage(i, seed, input.width(), input.height(),
                    ramp(input.width(), input.height(), seed),
                    Map.of("parameters", "benchmark model " + name + " (wall-clock, no network); seed: " + seed));
            images.add(new ImageGenerator.Image(image::encodePng, image.width(), image.height(), seed));
        }
        return new ImageGenerator.Output(images, timings(t0, denoised, System.nanoTime(), stepTimes), null, false);
    }

    private static StageTimings timings(long t0, long denoised, long end, List<Duration> steps) {
        return new StageTimings(Duration.ZERO, Duration.ZERO, steps, Duration.ofNanos(denoised - t0),
                Duration.ofNanos(end - denoised), Duration.ZERO, Duration.ofNanos(end - t0));
    }

    private static byte[] ramp(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        int shift = (int) (seed & 0xFF);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = (y * width + x) * 3;
                rgb[p] = (byte) (x + shift);
                rgb[p + 1] = (byte) (y + shift);
                rgb[p + 2] = (byte) (x + y);
            }
        }
        return rgb;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a benchmark step", e);
        }
    }
}
