package dev.sdqueue.pipeline.onnx;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.models.onnx.Dim;
import dev.sdqueue.models.onnx.OnnxGraphBuilder;
import dev.sdqueue.models.onnx.OnnxModelWriter;
import dev.sdqueue.models.onnx.OnnxValue;
import dev.sdqueue.pipeline.LoadListener;
import dev.sdqueue.pipeline.PipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One {@link UNet.Run} serves every step of a batch with the same tensors (timestep rewritten in
 * place, sample re-uploaded): each call must see that step's values, not the first step's.
 */
class UNetRunReuseTest {

    @TempDir
    Path temp;

    /** A UNet returning sample + timestep + 1000 * (row index), in the given timestep type. */
    private Path model(DataType timestepType, int rank) throws IOException {
        Path dir = temp.resolve("m-" + timestepType + "-" + rank);
        TinyRandomModel.write(dir);
        Files.delete(dir.resolve("unet/model.onnx_data"));
        OnnxGraphBuilder g = new OnnxGraphBuilder("unet", 17);
        Dim[] latent = {Dim.param("batch_size"), Dim.of(4), Dim.param("height"), Dim.param("width")};
        OnnxValue s = g.input("sample", DataType.FLOAT, latent);
        OnnxValue t = rank == 0 ? g.input("timestep", timestepType) : g.input("timestep", timestepType, Dim.of(1));
        OnnxValue e = g.input("encoder_hidden_states", DataType.FLOAT, Dim.param("batch_size"),
                Dim.param("sequence_length"), Dim.of(32));
        OnnxValue tf = timestepType == DataType.FLOAT ? t : g.cast(t, DataType.FLOAT);
        // per-row text term: mean of the states (the test fills row r with 1000 * r)
        OnnxValue text = g.unsqueeze(g.reduceMean(e, true, 1, 2), 3);
        g.output(g.add(g.add(s, tf), text), "out_sample", DataType.FLOAT, latent);
        OnnxModelWriter.write(g.buildModel("test", "1", "sample + timestep + text"), dir.resolve("unet/model.onnx"));
        return dir;
    }

    @Test
    void everyStepSeesItsOwnTimestepSampleAndRowStates() throws IOException {
        float[] steps = {999f, 500.75f, 1f};
        for (DataType type : new DataType[] {DataType.INT64, DataType.INT32, DataType.FLOAT, DataType.FLOAT16}) {
            int rank = type == DataType.INT64 ? 0 : 1;
            try (StableDiffusionModel m = ModelLoader.load(model(type, rank), PipelineOptions.defaults(),
                    LoadListener.NONE)) {
                int rows = 2;
                int per = 4 * 2 * 3;
                float[] states = new float[rows * 77 * 32];
                Arrays.fill(states, 77 * 32, states.length, 1000f);
                try (UNet.Run run = m.unet().begin(rows, 2, 3, states, 77, 32)) {
                    for (int k = 0; k < steps.length; k++) {
                        float[] sample = new float[rows * per];
                        for (int i = 0; i < sample.length; i++) {
                            sample[i] = k * 0.5f + i;
                        }
                        float[] out = new float[sample.length];
                        run.predict(sample, steps[k], out);
                        float t = switch (type) {
                            case INT64, INT32 -> (float) (long) steps[k];
                            case FLOAT16 -> Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(steps[k]));
                            default -> steps[k];
                        };
                        for (int i = 0; i < sample.length; i++) {
                            float row = i < per ? 0f : 1000f;
                            assertThat(out[i]).as("%s step %d element %d", type, k, i)
                                    .isEqualTo(sample[i] + t + row);
                        }
                    }
                }
            }
        }
    }

    @Test
    void predictWithoutInferenceCopiesButDoesNotRun() throws IOException {
        try (StableDiffusionModel m = ModelLoader.load(model(DataType.INT64, 0), PipelineOptions.defaults(),
                LoadListener.NONE);
             UNet.Run run = m.unet().begin(1, 1, 1, new float[77 * 32], 77, 32)) {
            float[] first = new float[4];
            run.predict(new float[] {1, 2, 3, 4}, 10, first);
            assertThat(first).containsExactly(11, 12, 13, 14);
            float[] again = new float[4];
            run.predictWithoutInference(new float[] {100, 200, 300, 400}, 20, again);
            assertThat(again).as("the output buffer still holds the last real run").containsExactly(first);
            float[] next = new float[4];
            run.predict(new float[] {5, 6, 7, 8}, 30, next);
            assertThat(next).containsExactly(35, 36, 37, 38);
        }
    }
}
