package dev.sdqueue.models.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Factories for {@link TensorProto} initializers. Data goes into {@code raw_data} (little-endian, as the
 * ONNX spec requires), which is also the form that can be moved to an external data file unchanged.
 */
public final class Tensors {

    private Tensors() {
    }

    public static TensorProto floats(String name, long[] shape, float[] data) {
        checkSize(name, shape, data.length);
        ByteBuffer buffer = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : data) {
            buffer.putFloat(value);
        }
        return tensor(name, DataType.FLOAT, shape, buffer);
    }

    public static TensorProto longs(String name, long[] shape, long[] data) {
        checkSize(name, shape, data.length);
        ByteBuffer buffer = ByteBuffer.allocate(data.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : data) {
            buffer.putLong(value);
        }
        return tensor(name, DataType.INT64, shape, buffer);
    }

    public static TensorProto ints(String name, long[] shape, int[] data) {
        checkSize(name, shape, data.length);
        ByteBuffer buffer = ByteBuffer.allocate(data.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int value : data) {
            buffer.putInt(value);
        }
        return tensor(name, DataType.INT32, shape, buffer);
    }

    /** Rank-0 float tensor. */
    public static TensorProto scalar(String name, float value) {
        return floats(name, new long[0], new float[] {value});
    }

    /** Rank-0 int64 tensor. */
    public static TensorProto scalar(String name, long value) {
        return longs(name, new long[0], new long[] {value});
    }

    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in initializer shape");
            }
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    private static void checkSize(String name, long[] shape, int length) {
        if (elementCount(shape) != length) {
            throw new IllegalArgumentException("initializer " + name + ": shape holds " + elementCount(shape)
                    + " elements but data has " + length);
        }
    }

    private static TensorProto tensor(String name, DataType type, long[] shape, ByteBuffer data) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long dim : shape) {
            tensor.addDims(dim);
        }
        return tensor.setRawData(ByteString.copyFrom(data.array())).build();
    }
}
