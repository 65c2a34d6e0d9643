package dev.sdqueue.pipeline.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.platform.Fp16Conversions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * A float tensor whose storage is a direct buffer we own, so ONNX Runtime reads inputs from (or
 * writes pinned outputs into) the same native memory on every step without copies or allocation.
 * float32 tensors hold floats directly; float16 ones convert at this boundary.
 */
final class Tensors {

    private Tensors() {
    }

    static final class DirectTensor implements AutoCloseable {
        final OnnxTensor tensor;
        final long[] shape;
        private final FloatBuffer floats;
        private final ShortBuffer halves;
        final int size;

        private DirectTensor(OnnxTensor tensor, long[] shape, FloatBuffer floats, ShortBuffer halves, int size) {
            this.tensor = tensor;
            this.shape = shape;
            this.floats = floats;
            this.halves = halves;
            this.size = size;
        }

        static DirectTensor allocate(OrtEnvironment env, OnnxJavaType type, long[] shape) throws OrtException {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n > Integer.MAX_VALUE / 4) {
                throw new IllegalArgumentException("tensor too large: " + java.util.Arrays.toString(shape));
            }
            int size = (int) n;
            if (type == OnnxJavaType.FLOAT) {
                FloatBuffer fb = ByteBuffer.allocateDirect(size * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                return new DirectTensor(OnnxTensor.createTensor(env, fb, shape), shape, fb, null, size);
            }
            if (type == OnnxJavaType.FLOAT16) {
                ShortBuffer sb = ByteBuffer.allocateDirect(size * 2).order(ByteOrder.nativeOrder()).asShortBuffer();
                return new DirectTensor(OnnxTensor.createTensor(env, sb, shape, OnnxJavaType.FLOAT16), shape, null, sb, size);
            }
            throw new IllegalArgumentException("unsupported float tensor type " + type);
        }

        /** Copies {@code src[offset, offset+size)} into the tensor. */
        void write(float[] src, int offset) {
            if (floats != null) {
                floats.clear();
                floats.put(src, offset, size);
            } else {
                for (int i = 0; i < size; i++) {
                    halves.put(i, Fp16Conversions.floatToFp16(src[offset + i]));
                }
            }
        }

        /** Copies the tensor into {@code dest[offset, offset+size)}. */
        void read(float[] dest, int offset) {
            if (floats != null) {
                floats.clear();
                floats.get(dest, offset, size);
            } else {
                for (int i = 0; i < size; i++) {
                    dest[offset + i] = Fp16Conversions.fp16ToFloat(halves.get(i));
                }
            }
        }

        @Override
        public void close() {
            tensor.close();
        }
    }

    /** Reads any float32/float16 output tensor into a new array. */
    static float[] toFloats(OnnxTensor t) {
        OnnxJavaType type = t.getInfo().type;
        if (type == OnnxJavaType.FLOAT) {
            FloatBuffer fb = t.getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
        if (type == OnnxJavaType.FLOAT16) {
            ShortBuffer sb = t.getShortBuffer();
            float[] out = new float[sb.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Fp16Conversions.fp16ToFloat(sb.get(i));
            }
            return out;
        }
        throw new IllegalStateException("expected a float32/float16 output, got " + type);
    }
}
