package dev.sdqueue.models.onnx;

import static dev.sdqueue.models.OrtSupport.floatOutput;
import static dev.sdqueue.models.OrtSupport.floats;
import static dev.sdqueue.models.OrtSupport.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sdqueue.models.OrtSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnnxGraphBuilderTest {

    @TempDir
    Path dir;

    /** y[b, j] = sum_i x[b, i] * w[i, j] + bias[j], batch dynamic. */
    private static ModelProto affine(float[] w, float[] bias) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("affine", 17);
        OnnxValue x = g.input("x", DataType.FLOAT, Dim.param("batch"), Dim.of(3));
        OnnxValue weight = g.initializer("w", new long[] {3, 2}, w);
        OnnxValue b = g.initializer("b", new long[] {2}, bias);
        g.output(g.add(g.matMul(x, weight), b), "y", DataType.FLOAT, Dim.param("batch"), Dim.of(2));
        return g.buildModel("test", "0", "affine");
    }

    private static float[] run(Path model, String output, Map<String, OnnxTensor> inputs) throws OrtException {
        try (OrtSession session = open(model); OrtSession.Result result = session.run(inputs)) {
            return floatOutput(result, output).data();
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Test
    void affineGraphComputesWhatItDescribesInOnnxRuntime() throws Exception {
        float[] w = {1, 2, 3, 4, 5, 6};
        float[] bias = {0.5f, -1};
        Path file = dir.resolve("affine.onnx");
        OnnxModelWriter.write(affine(w, bias), file);

        float[] x = {1, 0, -1, 2, 3, 4};
        float[] y = run(file, "y", Map.of("x", floats(x, 2, 3)));

        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 2; j++) {
                float expected = bias[j];
                for (int i = 0; i < 3; i++) {
                    expected += x[b * 3 + i] * w[i * 2 + j];
                }
                assertThat(y[b * 2 + j]).isCloseTo(expected, within(1e-5f));
            }
        }
        try (OrtSession session = open(file)) {
            assertThat(OrtSupport.inputs(session).get("x").dimensionNames()).containsExactly("batch", "");
            assertThat(OrtSupport.outputs(session)).containsOnlyKeys("y");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {17, 18})
    void reduceMeanAndUnsqueezeFollowTheOpsetsSignature(int opset) throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("mean", opset);
        OnnxValue x = g.input("x", DataType.FLOAT, Dim.of(2), Dim.of(3));
        OnnxValue mean = g.unsqueeze(g.reduceMean(x, false, 1), 1); // [2, 1]
        g.output(mean, "m", DataType.FLOAT, Dim.of(2), Dim.of(1));
        Path file = dir.resolve("mean" + opset + ".onnx");
        OnnxModelWriter.write(g.buildModel("test", "0", ""), file);

        float[] m = run(file, "m", Map.of("x", floats(new float[] {1, 2, 6, -3, 0, 0}, 2, 3)));

        assertThat(m).containsExactly(3f, -1f);
    }

    @Test
    void upsampleNearestReplicatesEachPixelIntoABlock() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("up", 17);
        OnnxValue x = g.input("x", DataType.FLOAT, Dim.of(1), Dim.of(1), Dim.param("h"), Dim.param("w"));
        g.output(g.upsampleNearest(x, 3), "y", DataType.FLOAT, Dim.of(1), Dim.of(1), Dim.param("H"), Dim.param("W"));
        Path file = dir.resolve("up.onnx");
        OnnxModelWriter.write(g.buildModel("test", "0", ""), file);

        float[] input = {1, 2, 3, 4, 5, 6}; // 2 x 3
        float[] y = run(file, "y", Map.of("x", floats(input, 1, 1, 2, 3)));

        assertThat(y).hasSize(6 * 9);
        for (int row = 0; row < 6; row++) {
            for (int col = 0; col < 9; col++) {
                assertThat(y[row * 9 + col]).as("pixel %d,%d", row, col).isEqualTo(input[(row / 3) * 3 + col / 3]);
            }
        }
    }

    @Test
    void convWithPaddingMatchesADirectConvolution() throws Exception {
        float[] kernel = {0, 1, 0, 2, -1, 0, 0, 0, 3};
        OnnxGraphBuilder g = new OnnxGraphBuilder("conv", 17);
        OnnxValue x = g.input("x", DataType.FLOAT, Dim.of(1), Dim.of(1), Dim.of(3), Dim.of(3));
        OnnxValue w = g.initializer("w", new long[] {1, 1, 3, 3}, kernel);
        g.output(g.conv(x, w, g.constantFloats(0.25f), 3, 1), "y", DataType.FLOAT, Dim.of(1), Dim.of(1), Dim.of(3), Dim.of(3));
        Path file = dir.resolve("conv.onnx");
        OnnxModelWriter.write(g.buildModel("test", "0", ""), file);

        float[] input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] y = run(file, "y", Map.of("x", floats(input, 1, 1, 3, 3)));

        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                float expected = 0.25f;
                for (int kr = 0; kr < 3; kr++) {
                    for (int kc = 0; kc < 3; kc++) {
                        int ir = r + kr - 1;
                        int ic = c + kc - 1;
                        if (ir >= 0 && ir < 3 && ic >= 0 && ic < 3) {
                            expected += input[ir * 3 + ic] * kernel[kr * 3 + kc];
                        }
                    }
                }
                assertThat(y[r * 3 + c]).isCloseTo(expected, within(1e-5f));
            }
        }
    }

    @Test
    void externalDataHoldsLargeInitializersAlignedAndRunsLikeTheInlineModel() throws Exception {
        float[] w = {1, 2, 3, 4, 5, 6};
        ModelProto model = affine(w, new float[] {0.5f, -1});
        Path inline = dir.resolve("inline.onnx");
        Path external = Files.createDirectories(dir.resolve("ext")).resolve("model.onnx");
        OnnxModelWriter.write(model, inline);
        OnnxModelWriter.writeWithExternalData(model, external, "model.onnx_data", 16); // w: 24 bytes, b: 8 bytes

        ModelProto written = ModelProto.parseFrom(Files.readAllBytes(external));
        TensorProto weight = written.getGraph().getInitializer(0);
        TensorProto bias = written.getGraph().getInitializer(1);
        assertThat(weight.getDataLocation()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
        assertThat(weight.getRawData().isEmpty()).isTrue();
        assertThat(weight.getExternalDataList()).extracting(e -> e.getKey() + "=" + e.getValue())
                .containsExactly("location=model.onnx_data", "offset=0", "length=24");
        assertThat(bias.getDataLocation()).isEqualTo(TensorProto.DataLocation.DEFAULT);
        assertThat(Files.size(external.resolveSibling("model.onnx_data"))).isEqualTo(24);

        float[] x = {1, 0, -1};
        assertThat(run(external, "y", Map.of("x", floats(x, 1, 3))))
                .containsExactly(run(inline, "y", Map.of("x", floats(x, 1, 3))));
    }

    @Test
    void externalTensorsStartAtAlignedOffsets() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("two", 17);
        OnnxValue x = g.input("x", DataType.FLOAT, Dim.of(5));
        OnnxValue a = g.initializer("a", new long[] {5}, new float[] {1, 2, 3, 4, 5});
        OnnxValue b = g.initializer("b", new long[] {5}, new float[] {5, 4, 3, 2, 1});
        g.output(g.mul(g.add(x, a), b), "y", DataType.FLOAT, Dim.of(5));
        Path file = dir.resolve("two.onnx");
        OnnxModelWriter.writeWithExternalData(g.buildModel("test", "0", ""), file, "two.bin", 1);

        ModelProto written = ModelProto.parseFrom(Files.readAllBytes(file));
        assertThat(written.getGraph().getInitializer(1).getExternalDataList())
                .extracting(e -> e.getKey() + "=" + e.getValue())
                .containsExactly("location=two.bin", "offset=" + OnnxModelWriter.EXTERNAL_DATA_ALIGNMENT, "length=20");
        assertThat(run(file, "y", Map.of("x", floats(new float[] {0, 0, 0, 0, 1}, 5)))).containsExactly(5, 8, 9, 8, 6);
    }

    @Test
    void modelWithoutItsExternalDataFileDoesNotLoad() throws IOException {
        Path file = dir.resolve("model.onnx");
        OnnxModelWriter.writeWithExternalData(affine(new float[6], new float[2]), file, "model.onnx_data", 1);
        Files.delete(dir.resolve("model.onnx_data"));

        assertThatThrownBy(() -> open(file).close()).isInstanceOf(OrtException.class);
    }

    @Test
    void namesMustBeUniqueAndOnlyNodeOutputsCanBeRenamed() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("names", 17);
        OnnxValue x = g.input("x", DataType.FLOAT, Dim.of(1));
        assertThatThrownBy(() -> g.input("x", DataType.FLOAT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.initializer("x", new long[] {1}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.output(x, "renamed", DataType.FLOAT, Dim.of(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.initializer("bad", new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OnnxGraphBuilder("old", 11)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void irVersionMatchesTheOpset() {
        assertThat(OnnxGraphBuilder.irVersionFor(17)).isEqualTo(8);
        assertThat(OnnxGraphBuilder.irVersionFor(19)).isEqualTo(9);
        assertThat(OnnxGraphBuilder.irVersionFor(21)).isEqualTo(10);
        ModelProto model = affine(new float[6], new float[2]);
        assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(17);
        assertThat(model.getIrVersion()).isEqualTo(8);
    }
}
