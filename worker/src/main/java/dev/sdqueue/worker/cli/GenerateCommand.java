package dev.sdqueue.worker.cli;

import dev.sdqueue.pipeline.GeneratedImage;
import dev.sdqueue.pipeline.GenerationParams;
import dev.sdqueue.pipeline.GenerationResult;
import dev.sdqueue.pipeline.InferenceException;
import dev.sdqueue.pipeline.InvalidGenerationParamsException;
import dev.sdqueue.pipeline.ModelInfo;
import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.StableDiffusionPipeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./sdq generate}: runs the Stable Diffusion pipeline in this process (no Kafka, no S3),
 * shows progress on stderr, writes {@code <out>/<seed>-<i>.png}, prints each path on stdout as soon
 * as it is written and ends with a table of per-stage timings on stderr. Uses only the pipeline package.
 */
@Command(name = "sdq generate", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        version = "sdqueue generate 0.1.0",
        description = "Generates images with a local model folder, without Kafka or S3.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:images written",
            "1:unexpected error",
            "2:invalid arguments (size, steps, scheduler, provider, ...)",
            "3:the model folder cannot be loaded (missing file, unexpected tensor)",
            "4:inference failed",
            "5:the output folder or a file in it cannot be written"})
public final class GenerateCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int INVALID_INPUT = 2;
    static final int MODEL_LOAD_FAILED = 3;
    static final int INFERENCE_FAILED = 4;
    static final int OUTPUT_FAILED = 5;

    /** Random seeds stay below 2^53 (exact in JSON/JavaScript), as the worker's. */
    private static final long MAX_RANDOM_SEED = (1L << 53) - 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", defaultValue = "${env:SDQ_MODEL_DIR:-models/target/tiny-random}",
            description = "Model folder in the diffusers/Optimum ONNX layout (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "What to draw.")
    String prompt;

    @Option(names = "--negative", paramLabel = "TEXT", description = "What to steer away from (default: none).")
    String negative;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "N", description = "Inference steps, 1-1000 (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--scheduler", paramLabel = "NAME", completionCandidates = SchedulerNames.class,
            description = "${COMPLETION-CANDIDATES} or a diffusers class name (default: the model's own).")
    String scheduler;

    @Option(names = "--guidance", defaultValue = "7.5", paramLabel = "G",
            description = "Classifier-free guidance scale; <= 1 skips the unconditional pass (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of image 0; image i uses seed + i (default: random, printed).")
    Long seed;

    @Option(names = "--width", paramLabel = "PX", description = "Pixels, a multiple of 8 (default: the model's size).")
    Integer width;

    @Option(names = "--height", paramLabel = "PX", description = "Pixels, a multiple of 8 (default: the model's size).")
    Integer height;

    @Option(names = {"-n", "--n", "--images"}, defaultValue = "1", paramLabel = "N",
            description = "Images to generate (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--provider", split = ",", defaultValue = "cpu", paramLabel = "EP",
            description = "ONNX Runtime execution providers in order of preference, e.g. cuda,cpu (default: ${DEFAULT-VALUE}).")
    List<String> providers;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Intra-op threads, 0 = one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-batch", defaultValue = "" + PipelineOptions.DEFAULT_MAX_BATCH, paramLabel = "N",
            description = "Most images denoised together in one batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--out", defaultValue = "out", paramLabel = "DIR",
            description = "Output folder, created if missing; files are <seed>-<i>.png (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE",
            description = "${COMPLETION-CANDIDATES}: a bar redrawn in place on a terminal, one line per step "
                    + "otherwise (default: ${DEFAULT-VALUE}).")
    ProgressBar.Mode progress;

    /** Scheduler request names, for the help text. */
    static final class SchedulerNames extends ArrayList<String> {
        SchedulerNames() {
            super(StableDiffusionPipeline.schedulerNames());
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        return new CommandLine(new GenerateCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String invalid = validate();
        if (invalid != null) {
            return fail(err, INVALID_INPUT, invalid + " (see --help)");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            return fail(err, OUTPUT_FAILED, "cannot create output folder " + out + ": " + e);
        }
        if (!Files.isDirectory(model)) {
            String hint = model.endsWith(Path.of("models", "target", "tiny-random"))
                    ? " (tiny-random is built by the models module: ./sdq generate builds it, or mvn -B -pl models -am install)"
                    : "";
            return fail(err, MODEL_LOAD_FAILED, "model folder " + model + " does not exist or is not a directory" + hint);
        }

        TimingsTable table = new TimingsTable();
        PipelineOptions options;
        try {
            options = new PipelineOptions(providers, threads, maxBatch);
        } catch (IllegalArgumentException e) {
            return fail(err, INVALID_INPUT, e.getMessage());
        }
        err.printf("loading %s (providers %s)%n", model, options.providers());
        err.flush();
        long loadStart = System.nanoTime();
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(model, options,
                (component, index, total, took) -> table.add("load " + component, took))) {
            table.add("load total", Duration.ofNanos(System.nanoTime() - loadStart));
            return generate(pipeline, table, stdout, err);
        } catch (ModelLoadException e) {
            return fail(err, MODEL_LOAD_FAILED, e.getMessage());
        }
    }

    private int generate(StableDiffusionPipeline pipeline, TimingsTable table, PrintWriter stdout, PrintWriter err) {
        ModelInfo info = pipeline.info();
        long firstSeed = seed != null ? seed : new SecureRandom().nextLong(MAX_RANDOM_SEED);
        int w = width != null ? width : info.defaultWidth();
        int h = height != null ? height : info.defaultHeight();
        ProgressBar bar = new ProgressBar(err, progress, stderrIsTerminal());
        try {
            GenerationParams params = new GenerationParams(prompt, negative, w, h, steps, guidance, firstSeed, scheduler,
                    images);
            err.printf(Locale.ROOT, "generating %d image(s) %dx%d, %d steps, scheduler %s, guidance %s, seed %d%n",
                    images, w, h, steps, scheduler != null ? scheduler : info.defaultScheduler() + " (model default)",
                    guidance, firstSeed);
            err.flush();
            GenerationResult result = pipeline.generate(params, bar::step, image -> {
                Path file = write(image, firstSeed);
                bar.finish();
                stdout.println(file);
                stdout.flush();
            });
            bar.finish();
            if (!result.truncatedPrompt().isEmpty()) {
                err.println("note: the prompt was cut at " + info.maxPromptTokens() + " tokens; dropped: "
                        + result.truncatedPrompt());
            }
            table.addGeneration(result.timings());
            table.print(err);
            return OK;
        } catch (InvalidGenerationParamsException e) {
            bar.finish();
            return fail(err, INVALID_INPUT, e.getMessage());
        } catch (InferenceException e) {
            bar.finish();
            return fail(err, INFERENCE_FAILED, e.getMessage());
        } catch (UncheckedIOException e) {
            bar.finish();
            return fail(err, OUTPUT_FAILED, e.getMessage());
        }
    }

    /** Writes through a temporary file and a rename, so a reader never sees half a PNG. */
    private Path write(GeneratedImage image, long firstSeed) {
        Path file = out.resolve(firstSeed + "-" + image.index() + ".png");
        Path partial = out.resolve(file.getFileName() + ".part");
        try {
            Files.write(partial, image.png());
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e, e);
        }
    }

    /** Checks what can be checked before the model loads (which takes a while). Null when fine. */
    private String validate() {
        if (prompt.isBlank()) {
            return "--prompt must not be empty";
        }
        if (steps < 1 || steps > GenerationParams.MAX_STEPS) {
            return "--steps must be between 1 and " + GenerationParams.MAX_STEPS + ", got " + steps;
        }
        if (!Double.isFinite(guidance) || guidance < 0) {
            return "--guidance must be a finite number >= 0, got " + guidance;
        }
        for (Integer size : new Integer[] {width, height}) {
            if (size != null && (size <= 0 || size % 8 != 0)) {
                return "--width and --height must be positive multiples of 8, got " + size;
            }
        }
        if (images < 1) {
            return "--n must be >= 1, got " + images;
        }
        if (maxBatch < 1) {
            return "--max-batch must be >= 1, got " + maxBatch;
        }
        if (threads < 0) {
            return "--threads must be >= 0, got " + threads;
        }
        if (scheduler != null && !StableDiffusionPipeline.supportsScheduler(scheduler)) {
            return "unsupported scheduler '" + scheduler + "' (supported: " + String.join(", ", StableDiffusionPipeline.schedulerNames())
                    + ", or their diffusers class names)";
        }
        return null;
    }

    /** ./sdq tells whether stderr is a terminal (SDQ_STDERR_TTY=1/0); else the JVM's console check. */
    private static boolean stderrIsTerminal() {
        String tty = System.getenv("SDQ_STDERR_TTY");
        if (tty != null && !tty.isBlank()) {
            return tty.trim().equals("1");
        }
        return System.console() != null;
    }

    private static int fail(PrintWriter err, int code, String message) {
        err.println("error: " + message);
        err.flush();
        return code;
    }
}
