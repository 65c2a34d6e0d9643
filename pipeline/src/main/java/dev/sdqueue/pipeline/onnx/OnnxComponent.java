package dev.sdqueue.pipeline.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.pipeline.TensorSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One ONNX network of a model folder (e.g. unet/model.onnx): its session and checked tensor specs. */
final class OnnxComponent implements AutoCloseable {

    final String component;
    final Path file;
    final OrtSession session;
    final Map<String, TensorInfo> inputs;
    final Map<String, TensorInfo> outputs;

    private OnnxComponent(String component, Path file, OrtSession session, Map<String, TensorInfo> inputs,
                          Map<String, TensorInfo> outputs) {
        this.component = component;
        this.file = file;
        this.session = session;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /** Opens {@code <modelDir>/<component>/model.onnx} by path, so external data next to it is found. */
    static OnnxComponent open(OrtEnvironment env, Path modelDir, String component, OrtSession.SessionOptions options) {
        Path file = modelDir.resolve(component).resolve("model.onnx");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("model folder " + modelDir + ": missing " + component + "/model.onnx");
        }
        OrtSession session;
        try {
            session = env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new ModelLoadException(component + "/model.onnx (" + file + "): ONNX Runtime cannot load it: "
                    + e.getMessage(), e);
        }
        try {
            return new OnnxComponent(component, file, session, tensors(session.getInputInfo(), file, "input"),
                    tensors(session.getOutputInfo(), file, "output"));
        } catch (OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException(component + "/model.onnx: cannot read tensor info: " + e.getMessage(), e);
        }
    }

    private static Map<String, TensorInfo> tensors(Map<String, NodeInfo> nodes, Path file, String kind) {
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : nodes.entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo ti)) {
                throw new ModelLoadException(file + ": " + kind + " '" + e.getKey() + "' is not a tensor");
            }
            out.put(e.getKey(), ti);
        }
        return out;
    }

    /** The named input, checked for element type and rank. */
    TensorInfo requireInput(String name, Set<OnnxJavaType> types, int... ranks) {
        TensorInfo ti = inputs.get(name);
        if (ti == null) {
            throw error("missing input '" + name + "' (inputs: " + inputs.keySet() + ")");
        }
        check("input", name, ti, types, ranks);
        return ti;
    }

    /** {@code preferred} if present, else the only/first output of a matching rank; checked. */
    String requireOutput(String preferred, Set<OnnxJavaType> types, int rank) {
        String name = outputs.containsKey(preferred) ? preferred : null;
        if (name == null) {
            for (Map.Entry<String, TensorInfo> e : outputs.entrySet()) {
                if (e.getValue().getShape().length == rank) {
                    name = e.getKey();
                    break;
                }
            }
        }
        if (name == null) {
            throw error("no output '" + preferred + "' or other rank-" + rank + " output (outputs: " + outputs.keySet() + ")");
        }
        check("output", name, outputs.get(name), types, rank);
        return name;
    }

    /** Fails if the network has inputs the pipeline would not feed. */
    void rejectUnknownInputs(Set<String> known) {
        for (String name : inputs.keySet()) {
            if (!known.contains(name)) {
                throw error("unexpected input '" + name + "' " + spec(name, inputs.get(name))
                        + " (this pipeline feeds " + known + ")");
            }
        }
    }

    private void check(String kind, String name, TensorInfo ti, Set<OnnxJavaType> types, int... ranks) {
        if (!types.contains(ti.type)) {
            throw error(kind + " '" + name + "' has element type " + typeName(ti.type) + ", expected one of "
                    + types.stream().map(OnnxComponent::typeName).sorted().toList());
        }
        int rank = ti.getShape().length;
        if (Arrays.stream(ranks).noneMatch(r -> r == rank)) {
            throw error(kind + " '" + name + "' has rank " + rank + " " + spec(name, ti).dims()
                    + ", expected rank " + Arrays.toString(ranks));
        }
    }

    ModelLoadException error(String message) {
        return new ModelLoadException(component + "/model.onnx (" + file + "): " + message);
    }

    List<TensorSpec> inputSpecs() {
        return specs(inputs);
    }

    List<TensorSpec> outputSpecs() {
        return specs(outputs);
    }

    private static List<TensorSpec> specs(Map<String, TensorInfo> map) {
        List<TensorSpec> out = new ArrayList<>();
        map.forEach((name, ti) -> out.add(spec(name, ti)));
        return List.copyOf(out);
    }

    static TensorSpec spec(String name, TensorInfo ti) {
        long[] shape = ti.getShape();
        String[] names = ti.getDimensionNames();
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0) {
                dims.add(Long.toString(shape[i]));
            } else {
                String n = names != null && i < names.length ? names[i] : "";
                dims.add(n == null || n.isEmpty() ? "?" : n);
            }
        }
        return new TensorSpec(name, typeName(ti.type), dims);
    }

    static String typeName(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> "float32";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            case DOUBLE -> "float64";
            case INT8 -> "int8";
            case INT16 -> "int16";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
            case STRING -> "string";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing " + file + " failed: " + e.getMessage(), e);
        }
    }
}
