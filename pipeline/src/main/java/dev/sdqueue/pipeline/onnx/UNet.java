package dev.sdqueue.pipeline.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.sdqueue.pipeline.InferenceException;
import dev.sdqueue.pipeline.InvalidGenerationParamsException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The noise-prediction UNet: sample [b,4,h,w], timestep (rank 0 or 1; float32, float16, int64 or
 * int32), encoder_hidden_states [b,seq,hidden] to out_sample [b,4,h,w]. Integer timestep inputs
 * receive the scheduler's timestep truncated toward zero, as numpy's astype does in diffusers'
 * ONNX pipeline; rank-1 timesteps get shape [1] (or the fixed size the network declares).
 */
public final class UNet implements AutoCloseable {

    private static final Set<OnnxJavaType> FLOATS = Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);

    private final OrtEnvironment env;
    private final OnnxComponent c;
    private final TensorInfo sample;
    private final TensorInfo timestep;
    private final TensorInfo hidden;
    private final String output;
    private final OnnxJavaType outputType;

    UNet(OrtEnvironment env, OnnxComponent c) {
        this.env = env;
        this.c = c;
        this.sample = c.requireInput("sample", FLOATS, 4);
        this.timestep = c.requireInput("timestep",
                Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16, OnnxJavaType.INT64, OnnxJavaType.INT32), 0, 1);
        this.hidden = c.requireInput("encoder_hidden_states", FLOATS, 3);
        c.rejectUnknownInputs(Set.of("sample", "timestep", "encoder_hidden_states"));
        this.output = c.requireOutput("out_sample", FLOATS, 4);
        this.outputType = c.outputs.get(output).type;
        long channels = sample.getShape()[1];
        if (channels > 0 && channels != 4) {
            throw c.error("input 'sample' has " + channels + " channels, expected 4 latent channels");
        }
    }

    /** encoder_hidden_states hidden size if declared, else -1. */
    long fixedHidden() {
        return hidden.getShape()[2];
    }

    /** Latent size the network is fixed to ([h, w], -1 where dynamic). */
    long[] fixedLatentSize() {
        return new long[] {sample.getShape()[2], sample.getShape()[3]};
    }

    /**
     * Per-generation state: input/output tensors over direct buffers, created once and reused on
     * every step; the text states are uploaded once.
     *
     * @param states encoder states [batch, seq, hidden] matching the sample batch order
     */
    public Run begin(int batch, int latentHeight, int latentWidth, float[] states, int seq, int hiddenSize) {
        long[] fixed = fixedLatentSize();
        if ((fixed[0] > 0 && fixed[0] != latentHeight) || (fixed[1] > 0 && fixed[1] != latentWidth)) {
            throw new InvalidGenerationParamsException("this model's UNet only accepts " + fixed[1] * 8 + "x"
                    + fixed[0] * 8 + " images, got " + latentWidth * 8 + "x" + latentHeight * 8);
        }
        long fixedBatch = sample.getShape()[0];
        int chunk = fixedBatch > 0 ? (int) fixedBatch : batch;
        if (batch % chunk != 0) {
            throw new InvalidGenerationParamsException("this model's UNet has a fixed batch of " + chunk
                    + "; a batch of " + batch + " is not a multiple of it");
        }
        return new Run(batch, chunk, latentHeight, latentWidth, states, seq, hiddenSize);
    }

    /**
     * Reusable tensors of one batch: sample, timestep, text states and the pinned output live in
     * direct buffers created once, and the input/output maps are built once, so a step allocates no
     * latent-sized memory on the Java side (ONNX Runtime's own per-run result objects remain).
     * Not thread-safe.
     */
    public final class Run implements AutoCloseable {
        private final int chunks;
        private final int sampleSize;
        private final Tensors.DirectTensor in;
        private final Tensors.DirectTensor out;
        private final TimestepTensor timestepTensor;
        private final List<Tensors.DirectTensor> states = new ArrayList<>();
        private final List<Map<String, OnnxTensor>> inputs = new ArrayList<>();
        private final Map<String, OnnxTensor> outputs;

        private Run(int batch, int chunk, int h, int w, float[] statesData, int seq, int hiddenSize) {
            this.chunks = batch / chunk;
            this.sampleSize = chunk * 4 * h * w;
            Tensors.DirectTensor i = null;
            Tensors.DirectTensor o = null;
            TimestepTensor t = null;
            try {
                i = Tensors.DirectTensor.allocate(env, sample.type, new long[] {chunk, 4, h, w});
                o = Tensors.DirectTensor.allocate(env, outputType, new long[] {chunk, 4, h, w});
                t = new TimestepTensor(env, timestep);
                int stateSize = chunk * seq * hiddenSize;
                for (int k = 0; k < chunks; k++) {
                    Tensors.DirectTensor s = Tensors.DirectTensor.allocate(env, hidden.type,
                            new long[] {chunk, seq, hiddenSize});
                    states.add(s);
                    s.write(statesData, k * stateSize);
                    inputs.add(Map.of("sample", i.tensor, "timestep", t.tensor, "encoder_hidden_states", s.tensor));
                }
            } catch (OrtException | RuntimeException e) {
                closeQuietly(i);
                closeQuietly(o);
                closeQuietly(t);
                states.forEach(UNet::closeQuietly);
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new InferenceException("cannot allocate UNet tensors: " + e.getMessage(), e);
            }
            this.in = i;
            this.out = o;
            this.timestepTensor = t;
            this.outputs = Map.of(output, o.tensor);
        }

        /** noise prediction for {@code latents} (the whole batch) at {@code t}, written into {@code prediction}. */
        public void predict(float[] latents, float t, float[] prediction) {
            timestepTensor.set(t);
            for (int k = 0; k < chunks; k++) {
                in.write(latents, k * sampleSize);
                try (OrtSession.Result ignored = c.session.run(inputs.get(k), outputs)) {
                    out.read(prediction, k * sampleSize);
                } catch (OrtException e) {
                    throw new InferenceException("unet failed at timestep " + t + ": " + e.getMessage(), e);
                }
            }
        }

        /**
         * Everything {@link #predict} does except ONNX Runtime's {@code session.run}: writes the
         * timestep and sample into their tensors and reads the output buffer back. It exists to
         * measure the per-step cost around the UNet (the JMH benchmark); {@code prediction} receives
         * whatever the output buffer holds.
         */
        public void predictWithoutInference(float[] latents, float t, float[] prediction) {
            timestepTensor.set(t);
            for (int k = 0; k < chunks; k++) {
                in.write(latents, k * sampleSize);
                out.read(prediction, k * sampleSize);
            }
        }

        @Override
        public void close() {
            closeQuietly(in);
            closeQuietly(out);
            closeQuietly(timestepTensor);
            states.forEach(UNet::closeQuietly);
        }
    }

    /**
     * The timestep input over a direct buffer, rewritten in place each step. Integer inputs receive
     * the timestep truncated toward zero (numpy's astype); rank 1 gets shape [1] or the declared size.
     */
    private static final class TimestepTensor implements AutoCloseable {
        private final OnnxJavaType type;
        private final int n;
        private final ByteBuffer bytes;
        final OnnxTensor tensor;

        TimestepTensor(OrtEnvironment env, TensorInfo info) throws OrtException {
            long[] shape;
            if (info.getShape().length == 0) {
                shape = new long[0];
                n = 1;
            } else {
                long d = info.getShape()[0];
                n = d > 0 ? (int) d : 1;
                shape = new long[] {n};
            }
            type = info.type;
            int width = switch (type) {
                case INT64 -> 8;
                case FLOAT16 -> 2;
                default -> 4;
            };
            bytes = ByteBuffer.allocateDirect(n * width).order(ByteOrder.nativeOrder());
            tensor = switch (type) {
                case INT64 -> OnnxTensor.createTensor(env, bytes.asLongBuffer(), shape);
                case INT32 -> OnnxTensor.createTensor(env, bytes.asIntBuffer(), shape);
                case FLOAT16 -> OnnxTensor.createTensor(env, bytes.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
                default -> OnnxTensor.createTensor(env, bytes.asFloatBuffer(), shape);
            };
        }

        void set(float t) {
            for (int i = 0; i < n; i++) {
                switch (type) {
                    case INT64 -> bytes.putLong(i * 8, (long) t);
                    case INT32 -> bytes.putInt(i * 4, (int) t);
                    case FLOAT16 -> bytes.putShort(i * 2, Fp16Conversions.floatToFp16(t));
                    default -> bytes.putFloat(i * 4, t);
                }
            }
        }

        @Override
        public void close() {
            tensor.close();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort while unwinding
            }
        }
    }

    @Override
    public void close() {
        c.close();
    }
}
