package dev.sdqueue.pipeline;

import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.pipeline.scheduler.Schedulers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** End to end on ONNX Runtime with the generated tiny-random model (SD 1.5's Optimum interface). */
class TinyModelPipelineTest {

    @TempDir
    static Path temp;
    private static StableDiffusionPipeline pipeline;
    private static final List<String> loaded = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        Path dir = temp.resolve(TinyRandomModel.NAME);
        TinyRandomModel.write(dir);
        pipeline = StableDiffusionPipeline.load(dir, PipelineOptions.defaults().withIntraOpThreads(1),
                (component, index, total, took) -> loaded.add(component + " " + index + "/" + total));
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private static GenerationParams params(long seed) {
        return new GenerationParams("a red cat in a hat", "blurry", 64, 48, 5, 7.5, seed, null, 1);
    }

    private static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img).as("PNG decodes").isNotNull();
        return img;
    }

    @Test
    void loadReportsEveryComponentAndTheModelInfo() {
        assertThat(loaded).containsExactly("scheduler 1/5", "tokenizer 2/5", "text_encoder 3/5", "unet 4/5",
                "vae_decoder 5/5");
        ModelInfo info = pipeline.info();
        assertThat(info.name()).isEqualTo(TinyRandomModel.NAME);
        assertThat(info.defaultScheduler()).isEqualTo("pndm");
        assertThat(info.defaultWidth()).isEqualTo(512);
        assertThat(info.latentScale()).isEqualTo(0.18215);
        assertThat(info.maxPromptTokens()).isEqualTo(77);
        assertThat(info.inputs().get("unet")).extracting(TensorSpec::toString)
                .contains("timestep int64 []", "sample float32 [batch_size, 4, height, width]");
        assertThat(info.inputs().get("text_encoder")).extracting(TensorSpec::type).containsExactly("int32");
        assertThat(info.outputs().get("vae_decoder")).extracting(TensorSpec::name).containsExactly("sample");
    }

    @Test
    void producesAPngOfTheRequestedSizeWithItsParameters() throws IOException {
        GenerationResult r = pipeline.generate(params(42), null);
        assertThat(r.images()).hasSize(1);
        GeneratedImage image = r.images().get(0);
        assertThat(image.width()).isEqualTo(64);
        assertThat(image.height()).isEqualTo(48);
        assertThat(image.seed()).isEqualTo(42);
        BufferedImage img = decode(image.png());
        assertThat(img.getWidth()).isEqualTo(64);
        assertThat(img.getHeight()).isEqualTo(48);
        assertThat(r.scheduler()).isEqualTo("pndm");
        assertThat(r.unetSteps()).isEqualTo(6); // PNDM with skip_prk_steps: one extra evaluation
        String text = dev.sdqueue.pipeline.png.PngTextReader.parameters(image.png());
        assertThat(text).isEqualTo("a red cat in a hat\nNegative prompt: blurry\nSteps: 5, Sampler: pndm, CFG scale: 7.5,"
                + " Seed: 42, Size: 64x48, Model: tiny-random");
        assertThat(r.timings().unetSteps()).hasSize(6);
        assertThat(r.timings().total()).isGreaterThanOrEqualTo(r.timings().denoise());
    }

    @Test
    void sameSeedGivesByteIdenticalPngAndAnotherSeedDoesNot() {
        byte[] a = pipeline.generate(params(7), null).images().get(0).png();
        byte[] b = pipeline.generate(params(7), null).images().get(0).png();
        byte[] c = pipeline.generate(params(8), null).images().get(0).png();
        assertThat(a).isEqualTo(b);
        assertThat(pixels(a)).isNotEqualTo(pixels(c));
    }

    @Test
    void twoImagesInOneBatchEachReproducibleAlone() {
        GenerationParams two = new GenerationParams("a red cat in a hat", "blurry", 64, 48, 5, 7.5, 100, "euler_a", 2);
        GenerationResult r = pipeline.generate(two, null);
        assertThat(r.images()).extracting(GeneratedImage::seed).containsExactly(100L, 101L);
        assertThat(pixels(r.images().get(0).png())).isNotEqualTo(pixels(r.images().get(1).png()));
        GenerationParams alone = new GenerationParams("a red cat in a hat", "blurry", 64, 48, 5, 7.5, 101, "euler_a", 1);
        int[] single = pixels(pipeline.generate(alone, null).images().get(0).png());
        int[] second = pixels(r.images().get(1).png());
        assertThat(maxChannelDiff(single, second)).as("image 1 of the batch vs seed 101 alone").isLessThanOrEqualTo(1);
    }

    @Test
    void guidanceScaleChangesTheImage() {
        GenerationParams g1 = new GenerationParams("a red cat in a hat", "blurry", 64, 48, 5, 1.0, 5, null, 1);
        GenerationParams g75 = new GenerationParams("a red cat in a hat", "blurry", 64, 48, 5, 7.5, 5, null, 1);
        assertThat(pixels(pipeline.generate(g1, null).images().get(0).png()))
                .isNotEqualTo(pixels(pipeline.generate(g75, null).images().get(0).png()));
    }

    @Test
    void negativePromptMattersOnlyWithGuidance() {
        GenerationParams a = new GenerationParams("a red cat", "blurry", 64, 48, 4, 1.0, 5, "ddim", 1);
        GenerationParams b = new GenerationParams("a red cat", "sharp green dog", 64, 48, 4, 1.0, 5, "ddim", 1);
        assertThat(pixels(pipeline.generate(a, null).images().get(0).png()))
                .isEqualTo(pixels(pipeline.generate(b, null).images().get(0).png()));
        GenerationParams c = new GenerationParams("a red cat", "sharp green dog", 64, 48, 4, 7.5, 5, "ddim", 1);
        GenerationParams d = new GenerationParams("a red cat", "blurry", 64, 48, 4, 7.5, 5, "ddim", 1);
        assertThat(pixels(pipeline.generate(c, null).images().get(0).png()))
                .isNotEqualTo(pixels(pipeline.generate(d, null).images().get(0).png()));
    }

    @Test
    void listenerSeesEveryStepInOrder() {
        List<String> seen = new ArrayList<>();
        GenerationParams p = new GenerationParams("a cat", null, 64, 64, 7, 7.5, 1, "euler", 1);
        GenerationResult r = pipeline.generate(p, (step, total, took) -> seen.add(step + "/" + total));
        assertThat(seen).containsExactly("1/7", "2/7", "3/7", "4/7", "5/7", "6/7", "7/7");
        assertThat(r.timings().unetSteps()).hasSize(7);
    }

    @Test
    void aStepControlStopsTheRunAfterAStepWithoutDecodingAndSaysSo() {
        List<Integer> seen = new ArrayList<>();
        GenerationParams p = new GenerationParams("a cat", null, 64, 64, 6, 7.5, 1, "euler", 3);
        DecodedGeneration stopped = pipeline.generateDecoded(p, (step, total, took) -> {
            seen.add(step);
            return step == 2 ? StepControl.Continuation.STOP : StepControl.Continuation.CONTINUE;
        });

        assertThat(seen).containsExactly(1, 2);
        assertThat(stopped.stopped()).isTrue();
        assertThat(stopped.stepsRun()).isEqualTo(2);
        assertThat(stopped.images()).isEmpty();
        assertThat(stopped.timings().vaeDecode()).isZero();

        DecodedGeneration full = pipeline.generateDecoded(p, StepControl.ALWAYS);
        assertThat(full.stopped()).isFalse();
        assertThat(full.stepsRun()).isEqualTo(full.unetSteps());
        assertThat(full.images()).hasSize(3);
    }

    @Test
    void everySchedulerRunsEndToEnd() throws IOException {
        for (String name : Schedulers.names()) {
            GenerationParams p = new GenerationParams("a cat", null, 32, 32, 4, 7.5, 3, name, 1);
            GenerationResult r = pipeline.generate(p, null);
            assertThat(r.scheduler()).isEqualTo(name);
            assertThat(decode(r.images().get(0).png()).getWidth()).isEqualTo(32);
        }
    }

    @Test
    void unknownSchedulerAndBadSizesAreInvalidRequests() {
        assertThatThrownBy(() -> pipeline.generate(new GenerationParams("a", null, 64, 64, 4, 7.5, 1, "heun", 1), null))
                .isInstanceOf(InvalidGenerationParamsException.class).hasMessageContaining("unsupported scheduler 'heun'")
                .satisfies(e -> assertThat(((PipelineException) e).retriable()).isFalse());
        assertThatThrownBy(() -> new GenerationParams("a", null, 60, 64, 4, 7.5, 1, null, 1))
                .isInstanceOf(InvalidGenerationParamsException.class).hasMessageContaining("multiples of 8");
        assertThatThrownBy(() -> pipeline.generate(new GenerationParams("a", null, 64, 64, 60, 7.5, 1, "lcm", 1), null))
                .isInstanceOf(InvalidGenerationParamsException.class).hasMessageContaining("original_inference_steps");
    }

    @Test
    void truncatedPromptIsReported() {
        String longPrompt = "a very detailed painting of a red cat wearing a green hat ".repeat(10);
        GenerationResult r = pipeline.generate(new GenerationParams(longPrompt, null, 32, 32, 2, 7.5, 1, "ddim", 1), null);
        assertThat(r.truncatedPrompt()).isNotEmpty();
        assertThat(r.truncatedPrompt()).endsWith("green hat").hasSizeLessThan(longPrompt.length());
        assertThat(r.truncatedNegativePrompt()).isEmpty();
    }

    @Test
    void aFailingListenerAbortsTheGeneration() {
        GenerationParams p = new GenerationParams("a cat", null, 32, 32, 5, 7.5, 1, "ddim", 1);
        assertThatThrownBy(() -> pipeline.generate(p, (step, total, took) -> {
            if (step == 2) {
                throw new IllegalStateException("cancelled");
            }
        })).hasMessage("cancelled");
        // and the pipeline still works afterwards
        assertThat(pipeline.generate(p, null).images()).hasSize(1);
    }

    static int[] pixels(byte[] png) {
        try {
            BufferedImage img = decode(png);
            return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int maxChannelDiff(int[] a, int[] b) {
        assertThat(a).hasSameSizeAs(b);
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int shift = 0; shift < 24; shift += 8) {
                max = Math.max(max, Math.abs(((a[i] >> shift) & 0xFF) - ((b[i] >> shift) & 0xFF)));
            }
        }
        return max;
    }
}
