package dev.sdqueue.models;

import static dev.sdqueue.models.OrtSupport.allFinite;
import static dev.sdqueue.models.OrtSupport.floatOutput;
import static dev.sdqueue.models.OrtSupport.floats;
import static dev.sdqueue.models.OrtSupport.gaussian;
import static dev.sdqueue.models.OrtSupport.longs;
import static dev.sdqueue.models.OrtSupport.maxAbsDifference;
import static dev.sdqueue.models.OrtSupport.std;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdqueue.models.BenchmarkModel.Variant;
import dev.sdqueue.models.OrtSupport.FloatResult;
import dev.sdqueue.models.OrtSupport.Port;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The ONNX benchmark folders (bench-100ms, bench-1s): tiny-random's layout and interface, checked against a
 * freshly generated tiny-random in real ONNX Runtime sessions, and a UNet that behaves like one. No timing
 * assertions: the measured times are in models/README.md.
 */
class BenchmarkModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final java.util.List<Variant> VARIANTS = BenchmarkModel.VARIANTS;
    private static final String[] NETWORKS = {"text_encoder", "unet", "vae_decoder"};

    @TempDir
    static Path root;
    static Path tinyRandom;

    @BeforeAll
    static void generate() throws IOException {
        tinyRandom = root.resolve(TinyRandomModel.NAME);
        TinyRandomModel.write(tinyRandom);
        for (Variant variant : VARIANTS) {
            BenchmarkModel.write(root.resolve(variant.name()), variant);
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void folderHasTinyRandomsFilesAndSharesItsTokenizerSchedulerTextEncoderAndVae(Variant variant) throws IOException {
        Map<String, byte[]> bench = TinyRandomModelFilesTest.files(folder(variant));
        Map<String, byte[]> tiny = TinyRandomModelFilesTest.files(tinyRandom);
        assertThat(bench.keySet()).isEqualTo(tiny.keySet());
        for (String name : bench.keySet()) {
            if (name.equals("tokenizer/tokenizer_config.json")) {
                // Same tokenizer settings; only name_or_path names the folder.
                ObjectNode benchConfig = (ObjectNode) JSON.readTree(bench.get(name));
                ObjectNode tinyConfig = (ObjectNode) JSON.readTree(tiny.get(name));
                assertThat(benchConfig.remove("name_or_path").asText()).isEqualTo("sdqueue/" + variant.name());
                tinyConfig.remove("name_or_path");
                assertThat(benchConfig).isEqualTo(tinyConfig);
            } else if (name.startsWith("tokenizer/") || name.startsWith("scheduler/") || name.startsWith("text_encoder/")
                    || name.equals("vae_decoder/model.onnx")) {
                assertThat(bench.get(name)).as(name).isEqualTo(tiny.get(name));
            }
        }
        assertThat(bench.get("unet/model.onnx")).isNotEqualTo(tiny.get("unet/model.onnx"));
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void modelIndexIsTinyRandomsPlusTheBenchmarkMarker(Variant variant) throws IOException {
        ObjectNode index = (ObjectNode) JSON.readTree(folder(variant).resolve("model_index.json").toFile());
        String marker = index.remove(BenchmarkModel.MARKER_KEY).asText();
        assertThat(marker).contains("never a default").contains("Benchmark");
        assertThat(index).isEqualTo(JSON.readTree(tinyRandom.resolve("model_index.json").toFile()));
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void configsDescribeA256PixelDefaultAndTheX8Vae(Variant variant) throws IOException {
        JsonNode unet = JSON.readTree(folder(variant).resolve("unet/config.json").toFile());
        assertThat(unet.get("sample_size").asInt()).isEqualTo(32);
        assertThat(unet.get("in_channels").asInt()).isEqualTo(4);
        assertThat(unet.get("out_channels").asInt()).isEqualTo(4);
        assertThat(unet.get("cross_attention_dim").asInt()).isEqualTo(32);
        assertThat(unet.get("block_out_channels").get(0).asInt()).isEqualTo(variant.channels());
        JsonNode vae = JSON.readTree(folder(variant).resolve("vae_decoder/config.json").toFile());
        assertThat(vae.get("scaling_factor").asDouble()).isEqualTo(0.18215);
        assertThat(vae.get("latent_channels").asInt()).isEqualTo(4);
        assertThat(1 << (vae.get("block_out_channels").size() - 1)).as("vae scale factor").isEqualTo(8);
        assertThat(vae.get("sample_size").asInt()).isEqualTo(256);
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void unetIsConvolutionsOfTheVariantsWidthWithWeightsOfAFewMegabytes(Variant variant) throws IOException {
        Path unet = folder(variant).resolve("unet");
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(unet.resolve("model.onnx")));
        long convs = proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).count();
        assertThat(convs).as("conv_in, the blocks, conv_out").isEqualTo(variant.layers() + 2);
        assertThat(proto.getProducerName()).isEqualTo("sdqueue-models");
        assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(17);
        long trunkBytes = (long) variant.weightTensors() * variant.channels() * variant.channels() * 9 * Float.BYTES;
        assertThat(Files.size(unet.resolve("model.onnx_data"))).isGreaterThanOrEqualTo(trunkBytes)
                .isLessThan(4L << 20);
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void networksLoadInOnnxRuntimeWithTinyRandomsInterface(Variant variant) throws OrtException {
        for (String network : NETWORKS) {
            try (OrtSession bench = OrtSupport.open(folder(variant).resolve(network).resolve("model.onnx"));
                 OrtSession tiny = OrtSupport.open(tinyRandom.resolve(network).resolve("model.onnx"))) {
                assertSamePorts(network + " inputs", OrtSupport.inputs(bench), OrtSupport.inputs(tiny));
                assertSamePorts(network + " outputs", OrtSupport.outputs(bench), OrtSupport.outputs(tiny));
            }
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void unetKeepsShapeAndUnitScaleAndDependsOnEveryInputPerBatchItem(Variant variant) throws OrtException {
        try (OrtSession unet = OrtSupport.open(folder(variant).resolve("unet/model.onnx"))) {
            FloatResult small = runUnet(unet, gaussian(1, 4 * 8 * 12), new long[] {1, 4, 8, 12}, 500, gaussian(2, 7 * 32), 7);
            assertThat(small.shape()).containsExactly(1, 4, 8, 12);

            // The calibration shape: guidance's batch of 2 on a 32x32 latent (256x256 pixels).
            long[] shape = {2, 4, 32, 32};
            float[] sample = gaussian(3, 2 * 4 * 32 * 32);
            float[] text = gaussian(4, 2 * 77 * 32);
            float[] base = runUnet(unet, sample, shape, 981, text, 77).data();
            assertThat(allFinite(base)).isTrue();
            assertThat(std(base)).as("output scale for unit-variance input").isBetween(0.3, 3.0);

            float[] otherSample = sample.clone();
            otherSample[5] += 1f;
            assertThat(maxAbsDifference(base, runUnet(unet, otherSample, shape, 981, text, 77).data())).isGreaterThan(1e-3);
            assertThat(maxAbsDifference(base, runUnet(unet, sample, shape, 21, text, 77).data())).isGreaterThan(1e-3);
            float[] otherText = text.clone();
            for (int i = 77 * 32; i < otherText.length; i++) {
                otherText[i] += 0.5f;
            }
            float[] changed = runUnet(unet, sample, shape, 981, otherText, 77).data();
            int half = base.length / 2;
            assertThat(maxAbsDifference(Arrays.copyOf(base, half), Arrays.copyOf(changed, half)))
                    .as("the first batch item ignores the second prompt").isZero();
            assertThat(maxAbsDifference(base, changed)).isGreaterThan(1e-3);
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void vaeDecodesTheCalibrationLatentTo256Pixels(Variant variant) throws OrtException {
        try (OrtSession vae = OrtSupport.open(folder(variant).resolve("vae_decoder/model.onnx"));
             OnnxTensor latent = floats(gaussian(5, 4 * 32 * 32), 1, 4, 32, 32);
             OrtSession.Result result = vae.run(Map.of("latent_sample", latent))) {
            FloatResult image = floatOutput(result, "sample");
            assertThat(image.shape()).containsExactly(1, 3, 256, 256);
            assertThat(allFinite(image.data())).isTrue();
        }
    }

    @Test
    void generatingTwiceGivesByteIdenticalFilesAndTheBuildOutputIsCurrent() throws IOException {
        String target = System.getProperty("sdq.models.target");
        for (Variant variant : VARIANTS) {
            Path again = root.resolve("again").resolve(variant.name());
            BenchmarkModel.write(again, variant);
            Map<String, byte[]> first = TinyRandomModelFilesTest.files(folder(variant));
            assertSameFiles(TinyRandomModelFilesTest.files(again), first);
            if (target != null && Files.isDirectory(Path.of(target, variant.name()))) {
                assertSameFiles(TinyRandomModelFilesTest.files(Path.of(target, variant.name())), first);
            }
        }
    }

    @Test
    void variantsAreDistinctAndTheOneSecondModelHasTheLargerUnet() {
        assertThat(VARIANTS).extracting(Variant::name).containsExactly("bench-100ms", "bench-1s");
        assertThat(BenchmarkModel.BENCH_1S.multiplyAddsPerRun()).isGreaterThan(BenchmarkModel.BENCH_100MS.multiplyAddsPerRun());
    }

    // ------------------------------------------------------------------ helpers

    private static Path folder(Variant variant) {
        return root.resolve(variant.name());
    }

    static void assertSameFiles(Map<String, byte[]> actual, Map<String, byte[]> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((name, bytes) -> assertThat(actual.get(name)).as(name).isEqualTo(bytes));
    }

    private static void assertSamePorts(String what, Map<String, Port> actual, Map<String, Port> expected) {
        assertThat(actual.keySet()).as(what).containsExactlyElementsOf(expected.keySet());
        for (String name : expected.keySet()) {
            Port a = actual.get(name);
            Port e = expected.get(name);
            assertThat(a.type()).as(what + " " + name + " type").isEqualTo(e.type());
            assertThat(a.shape()).as(what + " " + name + " shape").containsExactly(e.shape());
            assertThat(a.dimensionNames()).as(what + " " + name + " dims").containsExactly(e.dimensionNames());
        }
    }

    private static FloatResult runUnet(OrtSession unet, float[] sample, long[] shape, long timestep, float[] text,
                                       int sequence) throws OrtException {
        try (OnnxTensor x = floats(sample, shape);
             OnnxTensor t = longs(new long[] {timestep});
             OnnxTensor c = floats(text, shape[0], sequence, 32);
             OrtSession.Result result = unet.run(Map.of("sample", x, "timestep", t, "encoder_hidden_states", c))) {
            return floatOutput(result, "out_sample");
        }
    }
}
