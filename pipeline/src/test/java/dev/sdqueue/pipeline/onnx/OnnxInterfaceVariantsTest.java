package dev.sdqueue.pipeline.onnx;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.models.onnx.Dim;
import dev.sdqueue.models.onnx.OnnxGraphBuilder;
import dev.sdqueue.models.onnx.OnnxModelWriter;
import dev.sdqueue.models.onnx.OnnxValue;
import dev.sdqueue.pipeline.GenerationParams;
import dev.sdqueue.pipeline.LoadListener;
import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.StableDiffusionPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The differences between ONNX exports of Stable Diffusion (int32/int64 ids, rank-0/1 and float/int timesteps,
 * fp16 tensors) and the load-time errors, on small hand-built ONNX networks swapped into a copy
 * of tiny-random and run by real ONNX Runtime sessions.
 */
class OnnxInterfaceVariantsTest {

    @TempDir
    Path temp;

    private enum Mode { ECHO_TIMESTEP, DOUBLE_SAMPLE }

    /** A UNet stand-in: ECHO_TIMESTEP returns the timestep it received everywhere, DOUBLE_SAMPLE returns 2*sample. */
    private static void writeUnet(Path file, DataType sampleType, DataType timestepType, int timestepRank, Mode mode,
                                  boolean extraInput) throws IOException {
        OnnxGraphBuilder g = new OnnxGraphBuilder("unet", 17);
        Dim[] latent = {Dim.param("batch_size"), Dim.of(4), Dim.param("height"), Dim.param("width")};
        OnnxValue s = g.input("sample", sampleType, latent);
        OnnxValue t = timestepRank == 0 ? g.input("timestep", timestepType) : g.input("timestep", timestepType, Dim.of(1));
        OnnxValue e = g.input("encoder_hidden_states", sampleType, Dim.param("batch_size"), Dim.param("sequence_length"),
                Dim.of(32));
        OnnxValue sf = sampleType == DataType.FLOAT ? s : g.cast(s, DataType.FLOAT);
        OnnxValue tf = timestepType == DataType.FLOAT ? t : g.cast(t, DataType.FLOAT);
        OnnxValue ef = sampleType == DataType.FLOAT ? e : g.cast(e, DataType.FLOAT);
        OnnxValue textTerm = g.mul(g.unsqueeze(g.reduceMean(ef, true, 1, 2), 3), g.constantScalar(0f));
        OnnxValue out = mode == Mode.ECHO_TIMESTEP
                ? g.add(g.add(g.mul(sf, g.constantScalar(0f)), tf), textTerm)
                : g.add(g.add(g.mul(sf, g.constantScalar(2f)), g.mul(tf, g.constantScalar(0f))), textTerm);
        if (extraInput) {
            OnnxValue cond = g.input("timestep_cond", DataType.FLOAT, Dim.of(1));
            out = g.add(out, g.mul(cond, g.constantScalar(0f)));
        }
        if (sampleType != DataType.FLOAT) {
            out = g.cast(out, sampleType);
        }
        g.output(out, "out_sample", sampleType, latent);
        OnnxModelWriter.write(g.buildModel("test", "1", "unet variant"), file);
    }

    /** tiny-random with its UNet replaced. */
    private Path modelWithUnet(DataType sampleType, DataType timestepType, int rank, Mode mode, boolean extra)
            throws IOException {
        Path dir = temp.resolve("model-" + System.nanoTime());
        TinyRandomModel.write(dir);
        Files.delete(dir.resolve("unet/model.onnx_data"));
        writeUnet(dir.resolve("unet/model.onnx"), sampleType, timestepType, rank, mode, extra);
        return dir;
    }

    private static float predictOnce(StableDiffusionModel m, float t) {
        float[] states = new float[77 * 32];
        float[] latents = new float[4 * 2 * 2];
        float[] out = new float[latents.length];
        try (UNet.Run run = m.unet().begin(1, 2, 2, states, 77, 32)) {
            run.predict(latents, t, out);
        }
        for (float v : out) {
            assertThat(v).isEqualTo(out[0]);
        }
        return out[0];
    }

    @Test
    void timestepReachesTheUnetInItsDeclaredTypeAndRank() throws IOException {
        float t = 946.6f; // a fractional timestep, as Euler produces
        record Case(DataType type, int rank, float expected) { }
        List<Case> cases = List.of(
                new Case(DataType.INT64, 0, 946f),  // truncated like numpy astype(int64)
                new Case(DataType.INT64, 1, 946f),
                new Case(DataType.INT32, 1, 946f),
                new Case(DataType.FLOAT, 0, t),
                new Case(DataType.FLOAT, 1, t),
                new Case(DataType.FLOAT16, 1, Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(t))));
        for (Case c : cases) {
            Path dir = modelWithUnet(DataType.FLOAT, c.type(), c.rank(), Mode.ECHO_TIMESTEP, false);
            try (StableDiffusionModel m = ModelLoader.load(dir, PipelineOptions.defaults(), LoadListener.NONE)) {
                assertThat(predictOnce(m, t)).as("%s rank %d", c.type(), c.rank()).isEqualTo(c.expected());
            }
        }
        assertThat(cases.get(5).expected()).isEqualTo(946.5f);
    }

    @Test
    void float16UnetIsConvertedAtTheBoundary() throws IOException {
        Path dir = modelWithUnet(DataType.FLOAT16, DataType.INT64, 0, Mode.DOUBLE_SAMPLE, false);
        try (StableDiffusionModel m = ModelLoader.load(dir, PipelineOptions.defaults(), LoadListener.NONE)) {
            assertThat(m.info().inputs().get("unet")).extracting(s -> s.type()).contains("float16");
            float[] latents = {0.1f, -1.25f, 3.5f, 0.333f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            float[] out = new float[latents.length];
            try (UNet.Run run = m.unet().begin(1, 2, 2, new float[77 * 32], 77, 32)) {
                run.predict(latents, 500, out);
            }
            for (int i = 0; i < latents.length; i++) {
                float half = Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(latents[i]));
                assertThat(out[i]).isEqualTo(2 * half);
            }
        }
        // and the whole pipeline runs on it
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(dir, PipelineOptions.defaults(), null)) {
            assertThat(p.generate(new GenerationParams("a cat", null, 32, 32, 3, 7.5, 1, "euler", 1), null).images())
                    .hasSize(1);
        }
    }

    @Test
    void int64InputIdsAreFedAsInt64() throws IOException {
        Path dir = temp.resolve("ids64");
        TinyRandomModel.write(dir);
        OnnxGraphBuilder g = new OnnxGraphBuilder("text_encoder", 17);
        OnnxValue ids = g.input("input_ids", DataType.INT64, Dim.param("batch_size"), Dim.param("sequence_length"));
        float[] table = new float[1000 * 32];
        for (int i = 0; i < table.length; i++) {
            table[i] = i / 32 + (i % 32) / 100f; // row r holds r + column/100
        }
        OnnxValue rows = g.gather(g.initializer("table", new long[] {1000, 32}, table), ids, 0);
        g.output(rows, "last_hidden_state", DataType.FLOAT, Dim.param("batch_size"), Dim.param("sequence_length"),
                Dim.of(32));
        OnnxModelWriter.write(g.buildModel("test", "1", "int64 ids"), dir.resolve("text_encoder/model.onnx"));
        try (StableDiffusionModel m = ModelLoader.load(dir, PipelineOptions.defaults(), LoadListener.NONE)) {
            int[] a = m.tokenizer().encode("a red cat").inputIds();
            int[] b = m.tokenizer().encode("").inputIds();
            TextEncoder.Encoded e = m.textEncoder().encode(new int[][] {a, b});
            assertThat(e.batch()).isEqualTo(2);
            assertThat(e.hidden()).isEqualTo(32);
            for (int p = 0; p < 2; p++) {
                int[] row = p == 0 ? a : b;
                for (int k = 0; k < 77; k++) {
                    assertThat(e.data()[(p * 77 + k) * 32 + 5]).isEqualTo(row[k] + 0.05f);
                }
            }
        }
    }

    @Test
    void unexpectedInputIsNamedWithItsFile() throws IOException {
        Path dir = modelWithUnet(DataType.FLOAT, DataType.INT64, 0, Mode.ECHO_TIMESTEP, true);
        assertThatThrownBy(() -> ModelLoader.load(dir, PipelineOptions.defaults(), LoadListener.NONE))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unet/model.onnx")
                .hasMessageContaining("unexpected input 'timestep_cond'");
    }

    @Test
    void wrongTensorTypeIsNamedWithItsFile() throws IOException {
        Path dir = modelWithUnet(DataType.DOUBLE, DataType.INT64, 0, Mode.ECHO_TIMESTEP, false);
        assertThatThrownBy(() -> ModelLoader.load(dir, PipelineOptions.defaults(), LoadListener.NONE))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unet/model.onnx")
                .hasMessageContaining("input 'sample' has element type float64");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path dir = temp.resolve("missing");
        TinyRandomModel.write(dir);
        Files.delete(dir.resolve("vae_decoder/model.onnx"));
        assertThatThrownBy(() -> ModelLoader.load(dir, PipelineOptions.defaults(), LoadListener.NONE))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("missing vae_decoder/model.onnx");
        Files.delete(dir.resolve("tokenizer/merges.txt"));
        assertThatThrownBy(() -> ModelLoader.load(dir, PipelineOptions.defaults(), LoadListener.NONE))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("missing tokenizer/merges.txt");
        assertThatThrownBy(() -> ModelLoader.load(temp.resolve("nope"), PipelineOptions.defaults(), LoadListener.NONE))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("does not exist");
    }

    @Test
    void missingExternalDataIsAClearLoadError() throws IOException {
        Path dir = temp.resolve("no-data");
        TinyRandomModel.write(dir);
        Files.delete(dir.resolve("unet/model.onnx_data"));
        assertThatThrownBy(() -> ModelLoader.load(dir, PipelineOptions.defaults(), LoadListener.NONE))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("unet/model.onnx");
    }

    @Test
    void unsupportedExecutionProviderFailsBeforeLoading() throws IOException {
        Path dir = temp.resolve("providers");
        TinyRandomModel.write(dir);
        PipelineOptions unknown = new PipelineOptions(List.of("rocm", "cpu"), 0);
        assertThatThrownBy(() -> ModelLoader.load(dir, unknown, LoadListener.NONE))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unknown execution provider 'rocm'");
    }
}
