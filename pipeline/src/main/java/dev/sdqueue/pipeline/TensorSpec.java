package dev.sdqueue.pipeline;

import java.util.List;

/**
 * One input or output of an ONNX network as the session reports it.
 *
 * @param name tensor name, e.g. "timestep"
 * @param type element type: float32, float16, bfloat16, int64, int32, ...
 * @param dims one entry per axis: the fixed size ("4") or the symbolic name ("batch_size", or "?" if unnamed)
 */
public record TensorSpec(String name, String type, List<String> dims) {

    public TensorSpec {
        dims = List.copyOf(dims);
    }

    public int rank() {
        return dims.size();
    }

    /** Fixed size of axis {@code i}, or -1 if dynamic. */
    public long fixedDim(int i) {
        try {
            return Long.parseLong(dims.get(i));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return name + " " + type + " " + dims;
    }
}
