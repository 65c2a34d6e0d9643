package dev.sdqueue.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench-wallclock folder: what the worker reads from it (class name, step_ms) and the layout it keeps. */
class WallClockBenchmarkModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path root;
    static Path model;

    @BeforeAll
    static void generate() throws IOException {
        model = root.resolve(WallClockBenchmarkModel.NAME);
        WallClockBenchmarkModel.write(model);
    }

    @Test
    void folderHasTheIndexTheSchedulerAndTheTokenizerButNoNetworks() throws IOException {
        assertThat(TinyRandomModelFilesTest.files(model).keySet()).containsExactlyInAnyOrder(
                "model_index.json", "scheduler/scheduler_config.json",
                "tokenizer/merges.txt", "tokenizer/special_tokens_map.json",
                "tokenizer/tokenizer_config.json", "tokenizer/vocab.json");
    }

    @Test
    void modelIndexNamesTheWallClockClassItsStepTimeAndSaysItIsABenchmark() throws IOException {
        JsonNode index = JSON.readTree(model.resolve("model_index.json").toFile());
        assertThat(index.get("_class_name").asText()).isEqualTo("SdqWallClockBenchmark");
        assertThat(index.get("step_ms").isInt()).as("step_ms is an integer").isTrue();
        assertThat(index.get("step_ms").asInt()).isEqualTo(10);
        assertThat(index.get("_sdq_benchmark").asText()).contains("never a default").contains("step_ms");
        assertThat(index.get("scheduler").get(1).asText()).isEqualTo("PNDMScheduler");
        assertThat(index.get("tokenizer").get(1).asText()).isEqualTo("CLIPTokenizer");
        for (String network : new String[] {"text_encoder", "unet", "vae_decoder"}) {
            assertThat(index.has(network)).as(network + " is not listed: the folder has no networks").isFalse();
        }
    }

    @Test
    void schedulerAndTokenizerAreTinyRandoms() throws IOException {
        assertThat(JSON.readTree(model.resolve("scheduler/scheduler_config.json").toFile()))
                .isEqualTo(JSON.valueToTree(StableDiffusionLayout.sd15SchedulerConfig()));
        Path tiny = root.resolve(TinyRandomModel.NAME);
        TinyRandomModel.write(tiny);
        for (String file : new String[] {"vocab.json", "merges.txt", "special_tokens_map.json"}) {
            assertThat(model.resolve("tokenizer").resolve(file)).hasSameBinaryContentAs(tiny.resolve("tokenizer").resolve(file));
        }
    }

    @Test
    void buildOutputIsCurrentAndMainWritesEveryBenchmarkFolderByDefault() throws IOException {
        String target = System.getProperty("sdq.models.target");
        if (target != null && Files.isDirectory(Path.of(target, WallClockBenchmarkModel.NAME))) {
            BenchmarkModelTest.assertSameFiles(TinyRandomModelFilesTest.files(Path.of(target, WallClockBenchmarkModel.NAME)),
                    TinyRandomModelFilesTest.files(model));
        }
        Path out = root.resolve("main-out");
        GenerateModels.main(new String[] {out.toString()});
        for (String name : new String[] {"tiny-random", "colour-oracle", "bench-100ms", "bench-1s", "bench-wallclock"}) {
            assertThat(out.resolve(name).resolve("model_index.json")).as(name).exists();
        }
        Map<String, byte[]> written = TinyRandomModelFilesTest.files(out.resolve(WallClockBenchmarkModel.NAME));
        BenchmarkModelTest.assertSameFiles(written, TinyRandomModelFilesTest.files(model));
    }
}
