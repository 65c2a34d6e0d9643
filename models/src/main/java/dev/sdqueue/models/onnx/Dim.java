package dev.sdqueue.models.onnx;

import ai.onnx.proto.OnnxMl.TensorShapeProto;

/** One dimension of a graph input/output: fixed ({@code value >= 0}) or symbolic (a {@code dim_param} name). */
public record Dim(String param, long value) {

    public Dim {
        if (param == null && value < 0) {
            throw new IllegalArgumentException("fixed dimension must be >= 0, got " + value);
        }
        if (param != null && param.isBlank()) {
            throw new IllegalArgumentException("dim_param must not be blank");
        }
    }

    public static Dim of(long value) {
        return new Dim(null, value);
    }

    /** A dynamic axis, named like exporters name them ({@code batch_size}, {@code height}, ...). */
    public static Dim param(String name) {
        return new Dim(name, -1);
    }

    public boolean isDynamic() {
        return param != null;
    }

    TensorShapeProto.Dimension toProto() {
        TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
        return isDynamic() ? dim.setDimParam(param).build() : dim.setDimValue(value).build();
    }

    @Override
    public String toString() {
        return isDynamic() ? param : Long.toString(value);
    }
}
