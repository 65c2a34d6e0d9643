package dev.sdqueue.pipeline;

import dev.sdqueue.models.TinyRandomModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batching and the VAE memory bound on real ONNX Runtime sessions (tiny-random): a request's
 * images are denoised in batches of at most maxBatch, each image equals the same seed generated
 * alone, and the VAE decodes one image at a time, each encoded before the next is decoded.
 */
class PipelineBatchingTest {

    private static final int WIDTH = 48;
    private static final int HEIGHT = 32;
    private static final int PER_IMAGE = 4 * (WIDTH / 8) * (HEIGHT / 8);

    @TempDir
    static Path temp;
    private static Path modelDir;
    /** Events from the instrumented UNet and VAE, e.g. "unet 4" (batch rows) or "vae 1" (image offset / PER_IMAGE). */
    private static final List<String> events = new ArrayList<>();
    private static StableDiffusionPipeline maxBatch2;
    private static StableDiffusionPipeline maxBatch1;

    @BeforeAll
    static void load() throws IOException {
        modelDir = temp.resolve(TinyRandomModel.NAME);
        TinyRandomModel.write(modelDir);
        StableDiffusionPipeline.Instrumentation hooks = new StableDiffusionPipeline.Instrumentation(
                unet -> (in, t, out) -> {
                    events.add("unet " + in.length / PER_IMAGE);
                    unet.predict(in, t, out);
                },
                vae -> (latents, offset, h, w) -> {
                    events.add("vae " + offset / PER_IMAGE);
                    return vae.decode(latents, offset, h, w);
                });
        maxBatch2 = StableDiffusionPipeline.load(modelDir, PipelineOptions.defaults().withIntraOpThreads(1).withMaxBatch(2),
                null, hooks);
        maxBatch1 = StableDiffusionPipeline.load(modelDir, PipelineOptions.defaults().withIntraOpThreads(1).withMaxBatch(1),
                null);
    }

    @AfterAll
    static void close() {
        for (StableDiffusionPipeline p : new StableDiffusionPipeline[] {maxBatch2, maxBatch1}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static GenerationParams params(String scheduler, double guidance, long seed, int images) {
        return new GenerationParams("a red cube on a table", "blurry", WIDTH, HEIGHT, 4, guidance, seed, scheduler, images);
    }

    @Test
    void eachImageOfABatchedRequestEqualsItsSeedGeneratedAlone() {
        for (String scheduler : List.of("euler_a", "dpmpp_2m", "pndm")) {
            GenerationResult three = maxBatch2.generate(params(scheduler, 7.5, 500, 3), null);
            assertThat(three.images()).extracting(GeneratedImage::seed).containsExactly(500L, 501L, 502L);
            assertThat(three.images()).extracting(GeneratedImage::index).containsExactly(0, 1, 2);
            for (int i = 0; i < 3; i++) {
                byte[] alone = maxBatch1.generate(params(scheduler, 7.5, 500 + i, 1), null).images().get(0).png();
                assertThat(TinyModelPipelineTest.pixels(three.images().get(i).png()))
                        .as("%s: image %d of a 3-image request (maxBatch 2) vs seed %d alone", scheduler, i, 500 + i)
                        .isEqualTo(TinyModelPipelineTest.pixels(alone));
            }
            assertThat(TinyModelPipelineTest.pixels(three.images().get(0).png()))
                    .isNotEqualTo(TinyModelPipelineTest.pixels(three.images().get(2).png()));
        }
    }

    @Test
    void theUnetSeesBatchesOfAtMostMaxBatchImagesAndTheVaeOneImageAtATime() {
        events.clear();
        List<String> steps = new ArrayList<>();
        List<String> images = new ArrayList<>();
        GenerationResult r = maxBatch2.generate(params("ddim", 7.5, 9, 3),
                (step, total, took) -> steps.add(step + "/" + total),
                image -> {
                    events.add("png " + image.index());
                    images.add(image.seed() + "");
                });

        List<String> expected = new ArrayList<>();
        // batch 1: images 0-1, [uncond; cond] = 4 rows per call; batch 2: image 2, 2 rows
        expected.addAll(List.of("unet 4", "unet 4", "unet 4", "unet 4", "vae 0", "png 0", "vae 1", "png 1"));
        expected.addAll(List.of("unet 2", "unet 2", "unet 2", "unet 2", "vae 0", "png 2"));
        assertThat(events).containsExactlyElementsOf(expected);
        assertThat(steps).containsExactly("1/8", "2/8", "3/8", "4/8", "5/8", "6/8", "7/8", "8/8");
        assertThat(r.unetSteps()).isEqualTo(8);
        assertThat(r.timings().unetSteps()).hasSize(8);
        assertThat(images).containsExactly("9", "10", "11");
        assertThat(r.images()).extracting(GeneratedImage::seed).containsExactly(9L, 10L, 11L);
    }

    @Test
    void withoutGuidanceEachImageTakesOneRow() {
        events.clear();
        maxBatch2.generate(params("euler", 1.0, 3, 3), null);
        assertThat(events).containsExactly("unet 2", "unet 2", "unet 2", "unet 2", "vae 0", "vae 1",
                "unet 1", "unet 1", "unet 1", "unet 1", "vae 0");
    }

    @Test
    void maxBatchComesFromTheOptions() {
        assertThat(maxBatch2.maxBatch()).isEqualTo(2);
        assertThat(maxBatch1.maxBatch()).isEqualTo(1);
    }
}
