package dev.sdqueue.pipeline.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.sdqueue.pipeline.InferenceException;

import java.util.Map;
import java.util.Set;

/** VAE decoder: latent_sample [1,4,h,w] to sample [1,3,H,W] (H = 8h for SD) in [-1, 1]. */
public final class VaeDecoder implements AutoCloseable {

    /** A decoded image, [3, height, width] in C order. */
    public record Decoded(float[] chw, int height, int width) {
    }

    private static final Set<OnnxJavaType> FLOATS = Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);

    private final OrtEnvironment env;
    private final OnnxComponent c;
    private final TensorInfo latent;
    private final String output;

    VaeDecoder(OrtEnvironment env, OnnxComponent c) {
        this.env = env;
        this.c = c;
        this.latent = c.requireInput("latent_sample", FLOATS, 4);
        c.rejectUnknownInputs(Set.of("latent_sample"));
        this.output = c.requireOutput("sample", FLOATS, 4);
        long channels = latent.getShape()[1];
        if (channels > 0 && channels != 4) {
            throw c.error("input 'latent_sample' has " + channels + " channels, expected 4");
        }
    }

    /** Decodes one image's latents ([4, h, w], already divided by the scaling factor). */
    public Decoded decode(float[] latents, int offset, int h, int w) {
        try (Tensors.DirectTensor in = Tensors.DirectTensor.allocate(env, latent.type, new long[] {1, 4, h, w})) {
            in.write(latents, offset);
            try (OrtSession.Result result = c.session.run(Map.of("latent_sample", in.tensor), Set.of(output))) {
                OnnxTensor t = (OnnxTensor) result.get(output).orElseThrow();
                long[] shape = t.getInfo().getShape();
                if (shape[0] != 1 || shape[1] != 3) {
                    throw new InferenceException("vae_decoder returned shape " + java.util.Arrays.toString(shape)
                            + ", expected [1, 3, H, W]", null);
                }
                return new Decoded(Tensors.toFloats(t), (int) shape[2], (int) shape[3]);
            }
        } catch (OrtException e) {
            throw new InferenceException("vae_decoder failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        c.close();
    }
}
