package dev.sdqueue.models.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes models to disk, either self-contained or with weights in an ONNX external data file. */
public final class OnnxModelWriter {

    /** Offsets in the data file are multiples of this, so runtimes can use the bytes in place. */
    static final int EXTERNAL_DATA_ALIGNMENT = 64;

    private OnnxModelWriter() {
    }

    /** Writes {@code model} with every initializer inline. */
    public static void write(ModelProto model, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    /**
     * Writes {@code model} to {@code file} and moves every initializer of at least {@code minBytes} raw bytes
     * into {@code dataFileName} (a sibling of {@code file}), referenced by location/offset/length the way
     * {@code onnx.save_model(..., save_as_external_data=True)} does for models above 2 GB. The model must
     * then be loaded from its path (the runtime resolves the location relative to the model's folder).
     */
    public static void writeWithExternalData(ModelProto model, Path file, String dataFileName, long minBytes)
            throws IOException {
        if (dataFileName.contains("/") || dataFileName.contains("\\")) {
            throw new IllegalArgumentException("external data file must be a plain file name: " + dataFileName);
        }
        GraphProto.Builder graph = model.getGraph().toBuilder();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto tensor = graph.getInitializer(i);
            ByteString raw = tensor.getRawData();
            if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL || raw.size() < minBytes || raw.isEmpty()) {
                continue;
            }
            while (data.size() % EXTERNAL_DATA_ALIGNMENT != 0) {
                data.write(0);
            }
            long offset = data.size();
            raw.writeTo(data);
            graph.setInitializer(i, tensor.toBuilder()
                    .clearRawData()
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", dataFileName))
                    .addExternalData(entry("offset", Long.toString(offset)))
                    .addExternalData(entry("length", Long.toString(raw.size())))
                    .build());
        }
        Path dataFile = file.resolveSibling(dataFileName);
        Files.write(dataFile, data.toByteArray());
        write(model.toBuilder().setGraph(graph).build(), file);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
