package dev.sdqueue.models;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Small helpers around the real ONNX Runtime for the tests. */
public final class OrtSupport {

    private OrtSupport() {
    }

    public static OrtEnvironment env() {
        return OrtEnvironment.getEnvironment();
    }

    /** Loads by path, which is what lets ORT find external data next to the model. */
    public static OrtSession open(Path model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return env().createSession(model.toString(), options);
        }
    }

    public static OnnxTensor floats(float[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env(), FloatBuffer.wrap(data), shape);
    }

    public static OnnxTensor ints(int[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env(), IntBuffer.wrap(data), shape);
    }

    public static OnnxTensor longs(long[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env(), LongBuffer.wrap(data), shape);
    }

    /** Tensor metadata of one input or output. */
    public record Port(String name, OnnxJavaType type, long[] shape, String[] dimensionNames) {
        static Port of(NodeInfo node) {
            TensorInfo info = (TensorInfo) node.getInfo();
            return new Port(node.getName(), info.type, info.getShape(), info.getDimensionNames());
        }
    }

    public static Map<String, Port> inputs(OrtSession session) throws OrtException {
        return ports(session.getInputInfo());
    }

    public static Map<String, Port> outputs(OrtSession session) throws OrtException {
        return ports(session.getOutputInfo());
    }

    private static Map<String, Port> ports(Map<String, NodeInfo> infos) {
        Map<String, Port> ports = new java.util.LinkedHashMap<>();
        infos.forEach((name, info) -> ports.put(name, Port.of(info)));
        return ports;
    }

    /** Output {@code name} as a float array plus its runtime shape. */
    public record FloatResult(float[] data, long[] shape) {
    }

    public static FloatResult floatOutput(OrtSession.Result result, String name) throws OrtException {
        OnnxTensor tensor = (OnnxTensor) result.get(name).orElseThrow(() -> new AssertionError("no output " + name));
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] data = new float[buffer.remaining()];
        buffer.get(data);
        return new FloatResult(data, tensor.getInfo().getShape());
    }

    public static float[] gaussian(long seed, int count) {
        java.util.Random random = new java.util.Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    public static double maxAbsDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("length " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    public static double std(float[] values) {
        double sum = 0;
        double sumSquares = 0;
        for (float value : values) {
            sum += value;
            sumSquares += (double) value * value;
        }
        double mean = sum / values.length;
        return Math.sqrt(Math.max(0, sumSquares / values.length - mean * mean));
    }

    public static boolean allFinite(float[] values) {
        for (float value : values) {
            if (!Float.isFinite(value)) {
                return false;
            }
        }
        return true;
    }
}
