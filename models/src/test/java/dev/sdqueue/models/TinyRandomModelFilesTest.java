package dev.sdqueue.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder layout and files, without running the models (see {@link TinyRandomModelOrtTest}). */
class TinyRandomModelFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path root;
    static Path model;

    @BeforeAll
    static void generate() throws IOException {
        model = root.resolve("tiny-random");
        TinyRandomModel.write(model);
    }

    @Test
    void folderHasTheDiffusersOnnxLayout() throws IOException {
        assertThat(files(model).keySet()).containsExactlyInAnyOrder(
                "model_index.json",
                "scheduler/scheduler_config.json",
                "text_encoder/config.json", "text_encoder/model.onnx",
                "tokenizer/merges.txt", "tokenizer/special_tokens_map.json",
                "tokenizer/tokenizer_config.json", "tokenizer/vocab.json",
                "unet/config.json", "unet/model.onnx", "unet/model.onnx_data",
                "vae_decoder/config.json", "vae_decoder/model.onnx");
    }

    @Test
    void modelIndexNamesAStableDiffusionPipelineWithItsComponents() throws IOException {
        JsonNode index = JSON.readTree(model.resolve("model_index.json").toFile());
        assertThat(index.get("_class_name").asText()).isEqualTo("StableDiffusionPipeline");
        assertThat(index.get("scheduler").get(1).asText()).isEqualTo("PNDMScheduler");
        assertThat(index.get("tokenizer").get(1).asText()).isEqualTo("CLIPTokenizer");
        for (String component : new String[] {"text_encoder", "unet", "vae_decoder"}) {
            assertThat(index.has(component)).as(component).isTrue();
            assertThat(model.resolve(component).resolve("model.onnx")).exists();
        }
    }

    @Test
    void schedulerConfigIsStableDiffusion15s() throws IOException {
        JsonNode config = JSON.readTree(model.resolve("scheduler/scheduler_config.json").toFile());
        assertThat(config.get("_class_name").asText()).isEqualTo("PNDMScheduler");
        assertThat(config.get("beta_start").isDouble()).isTrue();
        assertThat(config.get("beta_start").asDouble()).isEqualTo(0.00085);
        assertThat(config.get("beta_end").asDouble()).isEqualTo(0.012);
        assertThat(config.get("beta_schedule").asText()).isEqualTo("scaled_linear");
        assertThat(config.get("num_train_timesteps").isInt()).isTrue();
        assertThat(config.get("num_train_timesteps").asInt()).isEqualTo(1000);
        assertThat(config.get("steps_offset").asInt()).isEqualTo(1);
        assertThat(config.get("set_alpha_to_one").isBoolean()).isTrue();
        assertThat(config.get("set_alpha_to_one").asBoolean()).isFalse();
        assertThat(config.get("skip_prk_steps").asBoolean()).isTrue();
        assertThat(config.get("clip_sample").asBoolean()).isFalse();
        assertThat(config.get("prediction_type").asText()).isEqualTo("epsilon");
        assertThat(config.get("trained_betas").isNull()).isTrue();
        assertThat(config.has("timestep_spacing")).as("SD 1.5's file has no timestep_spacing").isFalse();
    }

    @Test
    void configsAgreeWithTheGraphsAndTheTokenizer() throws IOException {
        JsonNode text = JSON.readTree(model.resolve("text_encoder/config.json").toFile());
        JsonNode vocab = JSON.readTree(model.resolve("tokenizer/vocab.json").toFile());
        assertThat(text.get("vocab_size").asInt()).isEqualTo(vocab.size());
        assertThat(text.get("eos_token_id").asInt()).isEqualTo(vocab.get("<|endoftext|>").asInt());
        assertThat(text.get("bos_token_id").asInt()).isEqualTo(vocab.get("<|startoftext|>").asInt());
        assertThat(text.get("max_position_embeddings").asInt()).isEqualTo(77);
        assertThat(text.get("hidden_size").asInt()).isEqualTo(32);

        JsonNode unet = JSON.readTree(model.resolve("unet/config.json").toFile());
        assertThat(unet.get("in_channels").asInt()).isEqualTo(4);
        assertThat(unet.get("cross_attention_dim").asInt()).isEqualTo(32);

        JsonNode vae = JSON.readTree(model.resolve("vae_decoder/config.json").toFile());
        assertThat(vae.get("scaling_factor").asDouble()).isEqualTo(0.18215);
        assertThat(1 << (vae.get("block_out_channels").size() - 1)).as("vae scale factor").isEqualTo(8);
        assertThat(vae.get("latent_channels").asInt()).isEqualTo(4);
    }

    @Test
    void unetWeightsLiveInTheExternalDataFile() throws IOException {
        Path onnx = model.resolve("unet/model.onnx");
        Path data = model.resolve("unet/model.onnx_data");
        long dataSize = Files.size(data);
        ModelProto unet = ModelProto.parseFrom(Files.readAllBytes(onnx));

        int external = 0;
        for (TensorProto tensor : unet.getGraph().getInitializerList()) {
            if (tensor.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                continue;
            }
            external++;
            Map<String, String> entries = new TreeMap<>();
            tensor.getExternalDataList().forEach(e -> entries.put(e.getKey(), e.getValue()));
            assertThat(entries.get("location")).isEqualTo("model.onnx_data");
            long offset = Long.parseLong(entries.get("offset"));
            long length = Long.parseLong(entries.get("length"));
            long elements = tensor.getDimsList().stream().reduce(1L, Math::multiplyExact);
            assertThat(length).as(tensor.getName()).isEqualTo(elements * Float.BYTES);
            assertThat(offset + length).isLessThanOrEqualTo(dataSize);
            assertThat(tensor.getRawData().isEmpty()).isTrue();
        }
        assertThat(external).as("conv and projection weights are external").isGreaterThanOrEqualTo(3);
        assertThat(Files.size(onnx)).as("graph file holds no big weights").isLessThan(dataSize);
    }

    @Test
    void modelsCarryProducerAndOpset() throws IOException {
        for (String component : new String[] {"text_encoder", "unet", "vae_decoder"}) {
            ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(model.resolve(component).resolve("model.onnx")));
            assertThat(proto.getProducerName()).isEqualTo("sdqueue-models");
            assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(17);
            assertThat(proto.getIrVersion()).isEqualTo(8);
        }
    }

    @Test
    void generatingTwiceGivesByteIdenticalFiles() throws IOException {
        Path again = root.resolve("again");
        TinyRandomModel.write(again);
        Map<String, byte[]> first = files(model);
        Map<String, byte[]> second = files(again);
        assertThat(second.keySet()).isEqualTo(first.keySet());
        first.forEach((name, bytes) -> assertThat(second.get(name)).as(name).isEqualTo(bytes));
    }

    @Test
    void buildOutputIsCurrent() throws IOException {
        // The folder Maven wrote in process-classes must be what the code generates now.
        String target = System.getProperty("sdq.models.target");
        assumeTrue(target != null && Files.isDirectory(Path.of(target, "tiny-random")), "run by Maven");
        Map<String, byte[]> built = files(Path.of(target, "tiny-random"));
        Map<String, byte[]> fresh = files(model);
        assertThat(built.keySet()).isEqualTo(fresh.keySet());
        fresh.forEach((name, bytes) -> assertThat(built.get(name)).as(name).isEqualTo(bytes));
    }

    @Test
    void writeReplacesAnExistingFolderAndLeavesNoStagingFolders() throws IOException {
        Path parent = Files.createDirectories(root.resolve("replace"));
        Path dir = Files.createDirectories(parent.resolve("tiny-random"));
        Files.writeString(dir.resolve("stale.txt"), "left over from an older layout");

        TinyRandomModel.write(dir);

        assertThat(dir.resolve("stale.txt")).doesNotExist();
        assertThat(dir.resolve("unet/model.onnx_data")).exists();
        try (Stream<Path> siblings = Files.list(parent)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("tiny-random");
        }
    }

    @Test
    void mainWritesTheNamedModelsUnderTheRoot() throws IOException {
        Path out = root.resolve("main-out");
        GenerateModels.main(new String[] {out.toString(), "tiny-random"});
        assertThat(out.resolve("tiny-random/unet/model.onnx")).exists();
    }

    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        return files;
    }
}
