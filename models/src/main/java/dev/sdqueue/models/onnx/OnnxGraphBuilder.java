package dev.sdqueue.models.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fluent builder of an ONNX graph (default domain only) on the ONNX protobuf classes.
 *
 * <p>Generic part: {@link #input}, {@link #initializer}, {@link #node} (any op, any attributes) and
 * {@link #output}. Convenience methods for the ops this project uses sit on top of {@link #node}; an op
 * missing here is one {@code node("OpType").in(..).attr(..).out()} away. Node and initializer names are
 * generated deterministically, so the same build code always yields byte-identical models.
 */
public final class OnnxGraphBuilder {

    private final String graphName;
    private final int opset;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public OnnxGraphBuilder(String graphName, int opset) {
        if (opset < 13 || opset > 21) {
            // The convenience ops below follow the operator versions of opsets 13..21.
            throw new IllegalArgumentException("supported opsets are 13..21, got " + opset);
        }
        this.graphName = graphName;
        this.opset = opset;
    }

    public int opset() {
        return opset;
    }

    // ---------------------------------------------------------------- graph interface

    /** Declares a graph input; pass no dims for a scalar (rank 0). */
    public OnnxValue input(String name, DataType type, Dim... dims) {
        claim(name);
        graph.addInput(valueInfo(name, type, dims));
        return new OnnxValue(name);
    }

    /** Declares {@code value} as graph output with its type and (possibly symbolic) shape. */
    public OnnxValue output(OnnxValue value, DataType type, Dim... dims) {
        graph.addOutput(valueInfo(value.name(), type, dims));
        return value;
    }

    /**
     * Declares the node output {@code value} as graph output under the public name {@code name} (e.g.
     * {@code out_sample}) by renaming it where it is produced and used: no Identity node is added.
     */
    public OnnxValue output(OnnxValue value, String name, DataType type, Dim... dims) {
        return output(rename(value, name), type, dims);
    }

    private OnnxValue rename(OnnxValue value, String name) {
        if (value.name().equals(name)) {
            return value;
        }
        claim(name);
        boolean produced = false;
        for (NodeProto.Builder node : graph.getNodeBuilderList()) {
            for (int i = 0; i < node.getOutputCount(); i++) {
                if (node.getOutput(i).equals(value.name())) {
                    node.setOutput(i, name);
                    produced = true;
                }
            }
            for (int i = 0; i < node.getInputCount(); i++) {
                if (node.getInput(i).equals(value.name())) {
                    node.setInput(i, name);
                }
            }
        }
        if (!produced) {
            throw new IllegalArgumentException("only node outputs can be renamed: " + value.name());
        }
        names.remove(value.name());
        return new OnnxValue(name);
    }

    /** Adds a weight; its name must be unique in the graph. */
    public OnnxValue initializer(TensorProto tensor) {
        claim(tensor.getName());
        graph.addInitializer(tensor);
        return new OnnxValue(tensor.getName());
    }

    public OnnxValue initializer(String name, long[] shape, float[] data) {
        return initializer(Tensors.floats(name, shape, data));
    }

    /** A small int64 constant (axes, shapes, indices) stored as an auto-named initializer. */
    public OnnxValue constantLongs(long... values) {
        return initializer(Tensors.longs(uniqueName("const"), new long[] {values.length}, values));
    }

    public OnnxValue constantFloats(float... values) {
        return initializer(Tensors.floats(uniqueName("const"), new long[] {values.length}, values));
    }

    public OnnxValue constantScalar(float value) {
        return initializer(Tensors.scalar(uniqueName("const"), value));
    }

    /** Free-form model metadata ({@code metadata_props}), e.g. what generated the model. */
    public OnnxGraphBuilder metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Starts a node of any default-domain op; finish it with {@link Node#out()} or its variants. */
    public Node node(String opType) {
        return new Node(opType);
    }

    /** Single-output node without attributes. */
    public OnnxValue op(String opType, OnnxValue... inputs) {
        return node(opType).in(inputs).out();
    }

    // ---------------------------------------------------------------- convenience ops

    public OnnxValue add(OnnxValue a, OnnxValue b) {
        return op("Add", a, b);
    }

    public OnnxValue sub(OnnxValue a, OnnxValue b) {
        return op("Sub", a, b);
    }

    public OnnxValue mul(OnnxValue a, OnnxValue b) {
        return op("Mul", a, b);
    }

    public OnnxValue div(OnnxValue a, OnnxValue b) {
        return op("Div", a, b);
    }

    public OnnxValue matMul(OnnxValue a, OnnxValue b) {
        return op("MatMul", a, b);
    }

    /** SiLU / swish, x * sigmoid(x) (no single op before opset 22). */
    public OnnxValue silu(OnnxValue x) {
        return mul(x, op("Sigmoid", x));
    }

    public OnnxValue cast(OnnxValue x, DataType to) {
        return node("Cast").in(x).attr("to", to.getNumber()).out();
    }

    public OnnxValue gather(OnnxValue data, OnnxValue indices, long axis) {
        return node("Gather").in(data, indices).attr("axis", axis).out();
    }

    public OnnxValue concat(long axis, OnnxValue... inputs) {
        return node("Concat").in(inputs).attr("axis", axis).out();
    }

    public OnnxValue reshape(OnnxValue x, long... shape) {
        return op("Reshape", x, constantLongs(shape));
    }

    public OnnxValue unsqueeze(OnnxValue x, long... axes) {
        return op("Unsqueeze", x, constantLongs(axes));
    }

    /** ReduceMean: {@code axes} is an attribute before opset 18 and an input from 18 on. */
    public OnnxValue reduceMean(OnnxValue x, boolean keepDims, long... axes) {
        Node node = node("ReduceMean").attr("keepdims", keepDims ? 1 : 0);
        return opset >= 18 ? node.in(x, constantLongs(axes)).out() : node.in(x).attrs("axes", axes).out();
    }

    /** 2-D convolution, stride 1, symmetric zero padding {@code pad}; {@code bias} may be {@link OnnxValue#NONE}. */
    public OnnxValue conv(OnnxValue x, OnnxValue weight, OnnxValue bias, long kernel, long pad) {
        Node node = node("Conv").attrs("kernel_shape", kernel, kernel).attrs("pads", pad, pad, pad, pad);
        return bias.name().isEmpty() ? node.in(x, weight).out() : node.in(x, weight, bias).out();
    }

    /** LayerNormalization over the last axis (an ONNX op since opset 17). */
    public OnnxValue layerNorm(OnnxValue x, OnnxValue scale, OnnxValue bias, float epsilon) {
        if (opset < 17) {
            throw new IllegalStateException("LayerNormalization needs opset >= 17");
        }
        return node("LayerNormalization").in(x, scale, bias).attr("axis", -1L).attr("epsilon", epsilon).out();
    }

    /** Nearest-neighbour upsampling of an NCHW tensor by an integer factor (pixel replication). */
    public OnnxValue upsampleNearest(OnnxValue x, int factor) {
        OnnxValue scales = constantFloats(1f, 1f, factor, factor);
        // asymmetric + floor maps output pixel i to input pixel floor(i / factor): exact block replication.
        return node("Resize").in(x, OnnxValue.NONE, scales)
                .attr("mode", "nearest")
                .attr("coordinate_transformation_mode", "asymmetric")
                .attr("nearest_mode", "floor")
                .out();
    }

    // ---------------------------------------------------------------- result

    public GraphProto buildGraph() {
        return graph.clone().setName(graphName).build();
    }

    /** Wraps the graph in a model with the IR version matching the opset. */
    public ModelProto buildModel(String producerName, String producerVersion, String docString) {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(irVersionFor(opset))
                .setProducerName(producerName)
                .setProducerVersion(producerVersion)
                .setDocString(docString)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(buildGraph());
        metadata.forEach((key, value) ->
                model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return model.build();
    }

    /** Oldest IR version that carries the opset (newer runtimes accept older IR versions). */
    static long irVersionFor(int opset) {
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    // ---------------------------------------------------------------- internals

    private static ValueInfoProto valueInfo(String name, DataType type, Dim... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Dim dim : dims) {
            shape.addDim(dim.toProto());
        }
        TypeProto.Tensor tensorType = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensorType)).build();
    }

    private void claim(String name) {
        if (name.isEmpty() || !names.add(name)) {
            throw new IllegalArgumentException("value name empty or already used: '" + name + "'");
        }
    }

    private String uniqueName(String prefix) {
        String name;
        do {
            int next = counters.merge(prefix, 1, Integer::sum);
            name = prefix + "_" + next;
        } while (names.contains(name));
        return name;
    }

    /** A node under construction; {@code out*} methods add it to the graph. */
    public final class Node {
        private final NodeProto.Builder proto = NodeProto.newBuilder();

        private Node(String opType) {
            proto.setOpType(opType);
        }

        public Node in(OnnxValue... inputs) {
            for (OnnxValue input : inputs) {
                proto.addInput(input.name());
            }
            return this;
        }

        public Node attr(String name, long value) {
            return attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value));
        }

        public Node attr(String name, float value) {
            return attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value));
        }

        public Node attr(String name, String value) {
            return attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                    .setS(com.google.protobuf.ByteString.copyFromUtf8(value)));
        }

        public Node attr(String name, TensorProto value) {
            return attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value));
        }

        public Node attrs(String name, long... values) {
            AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long value : values) {
                attribute.addInts(value);
            }
            return attribute(attribute);
        }

        public Node attrs(String name, float... values) {
            AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
            for (float value : values) {
                attribute.addFloats(value);
            }
            return attribute(attribute);
        }

        /** Adds the node with one auto-named output. */
        public OnnxValue out() {
            return outs(1).get(0);
        }

        /** Adds the node with one output of the given name (e.g. a graph output name). */
        public OnnxValue out(String name) {
            claim(name);
            finish(List.of(name));
            return new OnnxValue(name);
        }

        /** Adds the node with {@code count} auto-named outputs. */
        public List<OnnxValue> outs(int count) {
            List<String> outputNames = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = uniqueName(proto.getOpType());
                claim(name);
                outputNames.add(name);
            }
            finish(outputNames);
            return outputNames.stream().map(OnnxValue::new).toList();
        }

        private void finish(List<String> outputNames) {
            proto.addAllOutput(outputNames).setName(uniqueName("node_" + proto.getOpType()));
            graph.addNode(proto.build());
        }

        private Node attribute(AttributeProto.Builder attribute) {
            proto.addAttribute(attribute);
            return this;
        }
    }
}
