package dev.sdqueue.worker.cli;

import dev.sdqueue.models.TinyRandomModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The generate command end to end on the tiny-random model, through picocli as ./sdq runs it. */
class GenerateCommandTest {

    @TempDir
    static Path shared;
    private static Path model;

    @TempDir
    Path temp;

    @BeforeAll
    static void writeModel() throws IOException {
        model = shared.resolve(TinyRandomModel.NAME);
        TinyRandomModel.write(model);
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = GenerateCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private List<String> common(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--out", out.toString(),
                "--threads", "1"));
        args.addAll(List.of(more));
        return args;
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void writesOnePngPerImageAndPrintsPathsProgressAndTimings() throws IOException {
        Path out = temp.resolve("out");
        Run r = run(common(out, "--prompt", "a red cube", "--negative", "blurry", "--seed", "42", "--n", "3",
                "--width", "64", "--height", "48", "--steps", "4", "--scheduler", "euler_a", "--max-batch", "2",
                "--progress", "lines")
                .toArray(String[]::new));

        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        List<Path> expected = List.of(out.resolve("42-0.png"), out.resolve("42-1.png"), out.resolve("42-2.png"));
        assertThat(r.out().lines().toList()).containsExactlyElementsOf(expected.stream().map(Path::toString).toList());
        assertThat(files(out)).containsExactlyElementsOf(expected);
        for (Path file : expected) {
            BufferedImage img = ImageIO.read(file.toFile());
            assertThat(img.getWidth()).isEqualTo(64);
            assertThat(img.getHeight()).isEqualTo(48);
        }
        // two batches (2 + 1 images) of 4 steps, numbered across the run
        for (int step = 1; step <= 8; step++) {
            assertThat(r.err()).containsPattern("(?m)^step " + step + "/8 +\\d+\\.\\d ms$");
            assertThat(r.err()).containsPattern("(?m)^unet step " + step + "/8 +\\d+\\.\\d$");
        }
        for (String stage : List.of("load unet", "tokenize", "text encoder", "vae decode", "png encode", "generate total")) {
            assertThat(r.err()).containsPattern("(?m)^" + stage + " +\\d+\\.\\d$");
        }
        assertThat(r.err()).contains("seed 42");

        // image 1 is seed 43 on its own
        Path alone = temp.resolve("alone");
        Run single = run(common(alone, "--prompt", "a red cube", "--negative", "blurry", "--seed", "43",
                "--width", "64", "--height", "48", "--steps", "4", "--scheduler", "euler_a").toArray(String[]::new));
        assertThat(single.exitCode()).isEqualTo(0);
        assertThat(Files.readAllBytes(alone.resolve("43-0.png"))).isEqualTo(Files.readAllBytes(out.resolve("42-1.png")));
    }

    @Test
    void withoutASeedOneIsDrawnPrintedAndUsedInTheFileName() {
        Path out = temp.resolve("random");
        Run r = run(common(out, "-p", "a cat", "--width", "32", "--height", "32", "--steps", "2").toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        Matcher m = Pattern.compile("seed (\\d+)").matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        assertThat(r.out().trim()).isEqualTo(out.resolve(m.group(1) + "-0.png").toString());
    }

    @Test
    void barModeRedrawsOneLine() {
        Run r = run(common(temp.resolve("bar"), "-p", "a cat", "--width", "32", "--height", "32", "--steps", "3",
                "--scheduler", "ddim", "--seed", "1", "--progress", "bar").toArray(String[]::new));
        assertThat(r.exitCode()).isEqualTo(0);
        assertThat(r.err()).contains("\r[##########....................] 1/3 steps", "\r[##############################] 3/3 steps");
        assertThat(r.err()).doesNotContainPattern("(?m)^step 1/3 ");
    }

    @Test
    void badArgumentsExitWith2BeforeLoadingAndWriteNothing() throws IOException {
        Path out = temp.resolve("bad");
        Run size = run(common(out, "-p", "a cat", "--width", "500").toArray(String[]::new));
        assertThat(size.exitCode()).isEqualTo(2);
        assertThat(size.err()).contains("error: --width and --height must be positive multiples of 8, got 500")
                .doesNotContain("loading");
        Run scheduler = run(common(out, "-p", "a cat", "--scheduler", "heun").toArray(String[]::new));
        assertThat(scheduler.exitCode()).isEqualTo(2);
        assertThat(scheduler.err()).contains("unsupported scheduler 'heun'", "euler_a");
        Run steps = run(common(out, "-p", "a cat", "--steps", "0").toArray(String[]::new));
        assertThat(steps.exitCode()).isEqualTo(2);
        assertThat(steps.err()).contains("--steps must be between 1 and 1000, got 0");
        Run noPrompt = run(common(out).toArray(String[]::new));
        assertThat(noPrompt.exitCode()).isEqualTo(2);
        assertThat(noPrompt.err()).contains("Missing required option: '--prompt=TEXT'");
        Run notANumber = run(common(out, "-p", "a cat", "--n", "two").toArray(String[]::new));
        assertThat(notANumber.exitCode()).isEqualTo(2);
        Run provider = run(common(out, "-p", "a cat", "--width", "32", "--height", "32", "--provider", "tensorrt")
                .toArray(String[]::new));
        // the loader rejects a provider this build cannot use (a load error, 3; 2 if ever checked up front)
        assertThat(provider.exitCode()).isIn(2, 3);
        assertThat(provider.err()).contains("error: ", "tensorrt");
        assertThat(files(out)).isEmpty();
    }

    @Test
    void paramsTheModelRejectsExitWith2AfterLoading() {
        Run r = run(common(temp.resolve("lcm"), "-p", "a cat", "--width", "32", "--height", "32", "--steps", "60",
                "--scheduler", "lcm").toArray(String[]::new));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("loading", "error: ", "original_inference_steps");
    }

    @Test
    void aMissingModelExitsWith3NamingWhatIsMissing() throws IOException {
        Run none = run("--model", temp.resolve("nowhere").toString(), "--out", temp.resolve("o").toString(), "-p", "x");
        assertThat(none.exitCode()).isEqualTo(3);
        assertThat(none.err()).contains("error: model folder " + temp.resolve("nowhere") + " does not exist");

        Path broken = temp.resolve("broken");
        TinyRandomModel.write(broken);
        Files.delete(broken.resolve("unet/model.onnx"));
        Run missing = run("--model", broken.toString(), "--out", temp.resolve("o").toString(), "-p", "x");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("missing unet/model.onnx");
    }

    @Test
    void anOutputPathThatIsAFileExitsWith5() throws IOException {
        Path file = Files.writeString(temp.resolve("taken"), "not a folder");
        Run r = run("--model", model.toString(), "--out", file.toString(), "-p", "x");
        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.err()).contains("cannot create output folder " + file);
    }
}
