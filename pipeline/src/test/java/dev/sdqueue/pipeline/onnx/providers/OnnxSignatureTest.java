package dev.sdqueue.pipeline.onnx.providers;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.models.onnx.Dim;
import dev.sdqueue.models.onnx.OnnxGraphBuilder;
import dev.sdqueue.models.onnx.OnnxModelWriter;
import dev.sdqueue.models.onnx.OnnxValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire-format reader against what ONNX Runtime itself reports for the same files. */
class OnnxSignatureTest {

    @TempDir
    Path temp;

    @Test
    void tinyRandomNetworksMatchTheirOrtSessions() throws Exception {
        Path dir = temp.resolve("tiny");
        TinyRandomModel.write(dir);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (String component : List.of("text_encoder", "unet", "vae_decoder")) {
            Path file = dir.resolve(component).resolve("model.onnx");
            OnnxSignature sig = OnnxSignature.read(file);
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                 OrtSession session = env.createSession(file.toString(), so)) {
                assertThat(sig.inputs()).as(component + " inputs").containsExactlyElementsOf(specs(session.getInputInfo()));
                assertThat(sig.outputs()).as(component + " outputs").containsExactlyElementsOf(specs(session.getOutputInfo()));
            }
        }
        // The exact interface the profiles rely on, as the Optimum export declares it.
        OnnxSignature unet = OnnxSignature.read(dir.resolve("unet/model.onnx"));
        assertThat(unet.input("sample").dims()).containsExactly(-1L, 4L, -1L, -1L);
        assertThat(unet.input("timestep").dims()).isEmpty();
        assertThat(unet.input("timestep").isDynamic()).isFalse();
    }

    private static List<OnnxSignature.ValueSpec> specs(Map<String, NodeInfo> infos) {
        List<OnnxSignature.ValueSpec> out = new ArrayList<>();
        infos.forEach((name, info) -> {
            long[] shape = ((TensorInfo) info.getInfo()).getShape();
            List<Long> dims = new ArrayList<>();
            for (long d : shape) {
                dims.add(d);
            }
            out.add(new OnnxSignature.ValueSpec(name, true, dims));
        });
        return out;
    }

    @Test
    void largeEmbeddedWeightsAreSkippedNotRead() throws IOException {
        // 16M floats (64 MB) inside model.onnx, before the graph inputs in the file.
        OnnxGraphBuilder g = new OnnxGraphBuilder("big", 17);
        OnnxValue x = g.input("x", DataType.FLOAT, Dim.param("batch"), Dim.of(16 * 1024 * 1024));
        OnnxValue w = g.initializer("w", new long[] {16 * 1024 * 1024}, new float[16 * 1024 * 1024]);
        g.output(g.add(x, w), "y", DataType.FLOAT, Dim.param("batch"), Dim.of(16 * 1024 * 1024));
        Path file = temp.resolve("big.onnx");
        OnnxModelWriter.write(g.buildModel("test", "1", "big"), file);
        assertThat(Files.size(file)).isGreaterThan(64L << 20);

        long start = System.nanoTime();
        OnnxSignature sig = OnnxSignature.read(file);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(sig.inputs()).containsExactly(new OnnxSignature.ValueSpec("x", true, List.of(-1L, 16L * 1024 * 1024)));
        assertThat(sig.outputs()).extracting(OnnxSignature.ValueSpec::name).containsExactly("y");
        assertThat(millis).as("read time (ms) of a 64 MB file: seeks over the weights").isLessThan(2_000);
    }

    @Test
    void aFileThatIsNotOnnxFailsNamingIt() throws IOException {
        Path text = temp.resolve("model.onnx");
        Files.writeString(text, "this is not a protobuf file at all\n".repeat(10));
        assertThatThrownBy(() -> OnnxSignature.read(text)).isInstanceOf(IOException.class)
                .hasMessageContaining(text.toString());
        Path empty = temp.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> OnnxSignature.read(empty)).hasMessageContaining("no graph found");
    }
}
