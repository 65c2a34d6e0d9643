package dev.sdqueue.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.pipeline.DecodedGeneration;
import dev.sdqueue.pipeline.DecodedImage;
import dev.sdqueue.pipeline.GenerationParams;
import dev.sdqueue.pipeline.ModelLoadException;
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

    @Test
    void eachStepSleepsItsStepTimeAndTheImagesAreRealPngsOfTheRequestedSize() throws Exception {
        WallClockBenchmarkModel model = WallClockBenchmarkModel.load(folder(
                "{\"_class_name\": \"SdqWallClockBenchmark\", \"step_ms\": 4}"));
        List<String> steps = new ArrayList<>();

        long start = System.nanoTime();
        DecodedGeneration result = model.generate(new GenerationParams("x", null, 96, 64, 3, 7.5, 40, null, 2),
                (step, total, took) -> steps.add(step + "/" + total));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(steps).containsExactly("1/6", "2/6", "3/6", "4/6", "5/6", "6/6");
        assertThat(elapsedMs).isGreaterThanOrEqualTo(6 * 4); // a sleep never ends early
        assertThat(result.images()).extracting(DecodedImage::seed).containsExactly(40L, 41L);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(result.images().get(1).encodePng()));
        assertThat(png.getWidth()).isEqualTo(96);
        assertThat(png.getHeight()).isEqualTo(64);
        assertThat(result.images().get(0).rgb()).isNotEqualTo(result.images().get(1).rgb());
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
