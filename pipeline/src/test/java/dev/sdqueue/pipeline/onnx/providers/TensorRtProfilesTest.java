package dev.sdqueue.pipeline.onnx.providers;

import dev.sdqueue.pipeline.ShapeProfile;
import dev.sdqueue.pipeline.ImageSizeRange;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.models.onnx.Dim;
import dev.sdqueue.models.onnx.OnnxGraphBuilder;
import dev.sdqueue.models.onnx.OnnxModelWriter;
import dev.sdqueue.models.onnx.OnnxValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Profiles derived from real ONNX files. Expected strings follow from the documented rules: sizes 64..1024
 * (opt 512) are latents 8..128 (opt 64); max batch 4 gives UNet/text rows 1..8 (opt 2), VAE rows 1..4 (opt 1).
 */
class TensorRtProfilesTest {

    @TempDir
    Path temp;

    private static final TensorRtProfiles DEFAULTS = new TensorRtProfiles(ImageSizeRange.DEFAULT, 4, 77, -1);

    private ShapeProfile profile(TensorRtProfiles p, Path file, String component) throws IOException {
        return p.profile(component, OnnxSignature.read(file).inputs());
    }

    @Test
    void tinyRandomNetworksGetProfilesForTheirDynamicInputsOnly() throws IOException {
        Path dir = temp.resolve("tiny");
        TinyRandomModel.write(dir);

        ShapeProfile text = profile(DEFAULTS, dir.resolve("text_encoder/model.onnx"), "text_encoder");
        assertThat(text.min()).isEqualTo("input_ids:1x77");
        assertThat(text.opt()).isEqualTo("input_ids:2x77");
        assertThat(text.max()).isEqualTo("input_ids:8x77");

        // tiny-random's timestep is a scalar (no profile); its hidden size 32 is fixed in the file.
        ShapeProfile unet = profile(DEFAULTS, dir.resolve("unet/model.onnx"), "unet");
        assertThat(unet.min()).isEqualTo("sample:1x4x8x8,encoder_hidden_states:1x77x32");
        assertThat(unet.opt()).isEqualTo("sample:2x4x64x64,encoder_hidden_states:2x77x32");
        assertThat(unet.max()).isEqualTo("sample:8x4x128x128,encoder_hidden_states:8x77x32");

        ShapeProfile vae = profile(DEFAULTS, dir.resolve("vae_decoder/model.onnx"), "vae_decoder");
        assertThat(vae.min()).isEqualTo("latent_sample:1x4x8x8");
        assertThat(vae.opt()).isEqualTo("latent_sample:1x4x64x64");
        assertThat(vae.max()).isEqualTo("latent_sample:4x4x128x128");
    }

    @Test
    void nonSquareSizesAndBatchOneFollowTheConfiguration() throws IOException {
        Path dir = temp.resolve("tiny");
        TinyRandomModel.write(dir);
        TensorRtProfiles p = new TensorRtProfiles(new ImageSizeRange(512, 256, 768, 512, 1024, 768), 1, 77, -1);

        ShapeProfile unet = profile(p, dir.resolve("unet/model.onnx"), "unet");

        // sample is [B, 4, h, w]: heights come from the height range, widths from the width range.
        assertThat(unet.min()).startsWith("sample:1x4x32x64,");
        assertThat(unet.opt()).startsWith("sample:2x4x64x96,");
        assertThat(unet.max()).startsWith("sample:2x4x96x128,");
    }

    /** An SD-1.5-style UNet: rank-1 dynamic timestep, hidden size left dynamic. */
    private static Path writeUnet(Path file, Dim hidden) throws IOException {
        OnnxGraphBuilder g = new OnnxGraphBuilder("unet", 17);
        Dim[] latent = {Dim.param("batch_size"), Dim.param("num_channels"), Dim.param("height"), Dim.param("width")};
        OnnxValue s = g.input("sample", DataType.FLOAT, latent);
        OnnxValue t = g.input("timestep", DataType.INT64, Dim.param("steps"));
        OnnxValue e = g.input("encoder_hidden_states", DataType.FLOAT, Dim.param("batch_size"),
                Dim.param("sequence_length"), hidden);
        OnnxValue tf = g.cast(t, DataType.FLOAT);
        OnnxValue zero = g.mul(g.add(g.reduceMean(e, false, 1, 2), g.reduceMean(tf, false, 0)), g.constantScalar(0f));
        OnnxValue out = g.add(s, g.unsqueeze(zero, 1, 2, 3));
        g.output(out, "out_sample", DataType.FLOAT, latent);
        OnnxModelWriter.write(g.buildModel("test", "1", "unet"), file);
        return file;
    }

    @Test
    void rankOneTimestepGetsARangeAndADynamicHiddenSizeComesFromTheTextEncoder() throws IOException {
        Path file = writeUnet(temp.resolve("unet.onnx"), Dim.param("hidden"));
        TensorRtProfiles p = new TensorRtProfiles(ImageSizeRange.DEFAULT, 2, 77, 768);

        ShapeProfile unet = profile(p, file, "unet");

        assertThat(unet.min()).isEqualTo("sample:1x4x8x8,timestep:1,encoder_hidden_states:1x77x768");
        assertThat(unet.opt()).isEqualTo("sample:2x4x64x64,timestep:1,encoder_hidden_states:2x77x768");
        assertThat(unet.max()).isEqualTo("sample:4x4x128x128,timestep:4,encoder_hidden_states:4x77x768");
    }

    @Test
    void aHiddenSizeNobodyDeclaresCannotBeProfiled() throws IOException {
        Path file = writeUnet(temp.resolve("unet.onnx"), Dim.param("hidden"));
        TensorRtProfiles p = new TensorRtProfiles(ImageSizeRange.DEFAULT, 2, 77, -1);

        assertThatThrownBy(() -> profile(p, file, "unet")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unet input 'encoder_hidden_states' axis 2 (hidden size) is dynamic");
    }

    @Test
    void fixedShapesNeedNoProfileAndUnknownDynamicInputsAreRefused() throws IOException {
        OnnxGraphBuilder g = new OnnxGraphBuilder("text", 17);
        OnnxValue ids = g.input("input_ids", DataType.INT32, Dim.of(1), Dim.of(77));
        g.output(g.cast(ids, DataType.FLOAT), "last_hidden_state", DataType.FLOAT, Dim.of(1), Dim.of(77));
        Path fixed = temp.resolve("fixed.onnx");
        OnnxModelWriter.write(g.buildModel("test", "1", "fixed"), fixed);
        assertThat(profile(DEFAULTS, fixed, "text_encoder").isEmpty()).isTrue();

        OnnxGraphBuilder u = new OnnxGraphBuilder("odd", 17);
        OnnxValue cond = u.input("timestep_cond", DataType.FLOAT, Dim.param("batch"), Dim.of(256));
        u.output(u.add(cond, u.constantScalar(1f)), "y", DataType.FLOAT, Dim.param("batch"), Dim.of(256));
        Path odd = temp.resolve("odd.onnx");
        OnnxModelWriter.write(u.buildModel("test", "1", "odd"), odd);
        assertThatThrownBy(() -> profile(DEFAULTS, odd, "unet"))
                .hasMessageContaining("unet input 'timestep_cond' has dynamic axes [-1, 256] and no known meaning");
    }

    @Test
    void anUnexpectedRankIsReportedNotGuessed() {
        List<OnnxSignature.ValueSpec> inputs = List.of(new OnnxSignature.ValueSpec("sample", true, List.of(-1L, 4L, -1L)));
        assertThatThrownBy(() -> DEFAULTS.profile("unet", inputs))
                .hasMessageContaining("unet input 'sample' has rank 3, expected 4");
    }
}
