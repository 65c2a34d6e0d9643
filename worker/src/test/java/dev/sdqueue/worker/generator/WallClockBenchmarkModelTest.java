package dev.sdqueue.worker.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.worker.job.ImageGenerator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WallClockBenchmarkModelTest {
    @TempDir
    Path dir;

    private Path folder(String json) throws Exception {
        Files.writeString(dir.resolve("model_index.json"), json);
        return dir;
    }

    private static ImageGenerator.Input input(int steps, int images) {
        return new ImageGenerator.Input("x", "", 96, 64, steps, 7.5, 40, null, images);
    }

    @Test
    void eachStepSleepsItsStepTimeAndTheImagesAreRealPngsOfTheRequestedSize() throws Exception {
        WallClockBenchmarkModel model = WallClockBenchmarkModel.load(folder(
                "{\"_class_name\": \"SdqWallClockBenchmark\", \"step_ms\": 4}"));
        List<String> steps = new ArrayList<>();

        long start = System.nanoTime();
        ImageGenerator.Output result = model.generate(input(3, 2), (step, total) -> {
            steps.add(step + "/" + total);
            return ImageGenerator.StepDecision.CONTINUE;
        });
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(steps).containsExactly("1/6", "2/6", "3/6", "4/6", "5/6", "6/6");
        assertThat(elapsedMs).isGreaterThanOrEqualTo(6 * 4); // a sleep never ends early
        assertThat(result.stopped()).isFalse();
        assertThat(result.images()).extracting(ImageGenerator.Image::seed).containsExactly(40L, 41L);
        byte[] second = result.images().get(1).png().encode();
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(second));
        assertThat(png.getWidth()).isEqualTo(96);
        assertThat(png.getHeight()).isEqualTo(64);
        assertThat(result.images().get(0).png().encode()).isNotEqualTo(second);
    }

    @Test
    void aStopAtAStepEndsTheRunThereWithoutImages() throws Exception {
        WallClockBenchmarkModel model = WallClockBenchmarkModel.load(folder(
                "{\"_class_name\": \"SdqWallClockBenchmark\", \"step_ms\": 1}"));
        List<Integer> steps = new ArrayList<>();

        ImageGenerator.Output result = model.generate(input(5, 1), (step, total) -> {
            steps.add(step);
            return step == 2 ? ImageGenerator.StepDecision.STOP : ImageGenerator.StepDecision.CONTINUE;
        });

        assertThat(steps).containsExactly(1, 2);
        assertThat(result.stopped()).isTrue();
        assertThat(result.images()).isEmpty();
    }

    @Test
    void onlyAFolderThatNamesTheBenchmarkClassIsTheBenchmarkModel() throws Exception {
        assertThat(WallClockBenchmarkModel.isIn(folder("{\"_class_name\": \"OnnxStableDiffusionPipeline\"}")))
                .isFalse();
        assertThat(WallClockBenchmarkModel.isIn(dir.resolve("missing"))).isFalse();
        assertThatThrownBy(() -> WallClockBenchmarkModel.load(dir)).isInstanceOf(ModelLoadException.class);
        assertThat(WallClockBenchmarkModel.isIn(folder("{\"_class_name\": \"SdqWallClockBenchmark\"}"))).isTrue();
        assertThat(WallClockBenchmarkModel.load(dir).stepTime().toMillis()).isEqualTo(10);
    }
}
