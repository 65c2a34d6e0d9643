package dev.sdqueue.models.onnx;

/** A named value of a graph under construction: an input, an initializer or a node output. */
public record OnnxValue(String name) {

    /** Placeholder for an omitted optional node input (ONNX encodes it as the empty name). */
    public static final OnnxValue NONE = new OnnxValue("");

    public OnnxValue {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
    }
}
