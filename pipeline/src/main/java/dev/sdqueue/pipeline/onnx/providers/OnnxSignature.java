package dev.sdqueue.pipeline.onnx.providers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Graph inputs and outputs of an ONNX file, read without creating a session: TensorRT's shape profiles
 * must be in the session options, i.e. known before the session exists. Reads the protobuf wire format
 * directly (ModelProto.graph → GraphProto.input/output → ValueInfoProto) and seeks over everything else,
 * so a model with embedded weights costs a few reads, not its size in memory.
 */
public record OnnxSignature(List<ValueSpec> inputs, List<ValueSpec> outputs) {

    /**
     * One graph input or output.
     *
     * @param name       tensor name
     * @param shapeKnown false if the file declares no shape (rank unknown)
     * @param dims       fixed sizes, -1 where the axis is symbolic or unnamed; empty for a scalar
     */
    public record ValueSpec(String name, boolean shapeKnown, List<Long> dims) {
        public ValueSpec {
            dims = List.copyOf(dims);
        }

        public boolean isDynamic() {
            return !shapeKnown || dims.contains(-1L);
        }
    }

    // Field numbers from onnx.proto3.
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LENGTH = 2;
    private static final int WIRE_FIXED32 = 5;
    /** A ValueInfoProto is a name and a shape; anything this large is not one. */
    private static final int MAX_VALUE_INFO_BYTES = 1 << 20;

    public OnnxSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public ValueSpec input(String name) {
        return inputs.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }

    public ValueSpec output(String name) {
        return outputs.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }

    /** Reads {@code file}; fails with an IOException naming the file if it is not an ONNX model. */
    public static OnnxSignature read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Wire in = new Wire(ch);
            List<ValueSpec> inputs = new ArrayList<>();
            List<ValueSpec> outputs = new ArrayList<>();
            boolean graphSeen = false;
            long size = ch.size();
            while (in.pos < size) {
                long tag = in.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                if (field == MODEL_GRAPH && wire == WIRE_LENGTH) {
                    graphSeen = true;
                    long end = in.end(size);
                    while (in.pos < end) {
                        long t = in.varint();
                        int f = (int) (t >>> 3);
                        int w = (int) (t & 7);
                        if ((f == GRAPH_INPUT || f == GRAPH_OUTPUT) && w == WIRE_LENGTH) {
                            long len = in.length(end);
                            if (len > MAX_VALUE_INFO_BYTES) {
                                throw new IOException(file + ": graph value info of " + len + " bytes: not an ONNX model?");
                            }
                            ValueSpec v = valueInfo(new Wire(ByteBuffer.wrap(in.bytes((int) len))), file);
                            (f == GRAPH_INPUT ? inputs : outputs).add(v);
                        } else {
                            in.skip(w, end);
                        }
                    }
                } else {
                    in.skip(wire, size);
                }
            }
            if (!graphSeen) {
                throw new IOException(file + ": no graph found: not an ONNX model");
            }
            return new OnnxSignature(inputs, outputs);
        } catch (IllegalStateException e) {
            throw new IOException(file + ": not a valid ONNX (protobuf) file: " + e.getMessage(), e);
        }
    }

    private static ValueSpec valueInfo(Wire in, Path file) throws IOException {
        String name = null;
        boolean shapeKnown = false;
        List<Long> dims = new ArrayList<>();
        long end = in.limit();
        while (in.pos < end) {
            long tag = in.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == VALUE_INFO_NAME && wire == WIRE_LENGTH) {
                name = new String(in.bytes((int) in.length(end)), StandardCharsets.UTF_8);
            } else if (field == VALUE_INFO_TYPE && wire == WIRE_LENGTH) {
                long typeEnd = in.end(end);
                while (in.pos < typeEnd) {
                    long t = in.varint();
                    if ((t >>> 3) == TYPE_TENSOR && (t & 7) == WIRE_LENGTH) {
                        long tensorEnd = in.end(typeEnd);
                        while (in.pos < tensorEnd) {
                            long tt = in.varint();
                            if ((tt >>> 3) == TENSOR_SHAPE && (tt & 7) == WIRE_LENGTH) {
                                shapeKnown = true;
                                readShape(in, in.end(tensorEnd), dims);
                            } else {
                                in.skip((int) (tt & 7), tensorEnd);
                            }
                        }
                    } else {
                        in.skip((int) (t & 7), typeEnd);
                    }
                }
            } else {
                in.skip(wire, end);
            }
        }
        if (name == null) {
            throw new IOException(file + ": a graph input/output has no name");
        }
        return new ValueSpec(name, shapeKnown, dims);
    }

    private static void readShape(Wire in, long end, List<Long> dims) throws IOException {
        while (in.pos < end) {
            long tag = in.varint();
            if ((tag >>> 3) == SHAPE_DIM && (tag & 7) == WIRE_LENGTH) {
                long dimEnd = in.end(end);
                long value = -1;
                while (in.pos < dimEnd) {
                    long t = in.varint();
                    if ((t >>> 3) == DIM_VALUE && (t & 7) == WIRE_VARINT) {
                        long v = in.varint();
                        value = v > 0 ? v : -1; // 0 or negative: treat as unknown, as ORT reports it
                    } else {
                        in.skip((int) (t & 7), dimEnd); // dim_param, denotation: symbolic → -1
                    }
                }
                dims.add(value);
            } else {
                in.skip((int) (tag & 7), end);
            }
        }
    }

    /** Protobuf wire reader over a file (buffered window, seeks to skip) or an in-memory buffer. */
    private static final class Wire {
        private final FileChannel channel;
        private final ByteBuffer window;
        private long windowStart;
        private final long limit;
        long pos;

        Wire(FileChannel channel) throws IOException {
            this.channel = channel;
            this.window = ByteBuffer.allocate(1 << 16).flip();
            this.limit = channel.size();
        }

        Wire(ByteBuffer bytes) {
            this.channel = null;
            this.window = bytes;
            this.limit = bytes.limit();
        }

        long limit() {
            return limit;
        }

        int readByte() throws IOException {
            long offset = pos - windowStart;
            if (offset < 0 || offset >= window.limit()) {
                if (channel == null || pos >= limit) {
                    throw new IllegalStateException("truncated message at byte " + pos);
                }
                window.clear();
                windowStart = pos;
                while (window.hasRemaining() && channel.read(window, windowStart + window.position()) > 0) {
                    // fill the window
                }
                window.flip();
                offset = 0;
            }
            pos++;
            return window.get((int) offset) & 0xff;
        }

        long varint() throws IOException {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte();
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalStateException("malformed varint at byte " + pos);
        }

        /** A length prefix, checked against the enclosing message's end. */
        long length(long end) throws IOException {
            long len = varint();
            if (len < 0 || pos + len > end) {
                throw new IllegalStateException("length " + len + " at byte " + pos + " runs past its message");
            }
            return len;
        }

        /** Reads a length prefix and returns where that nested message ends. */
        long end(long enclosingEnd) throws IOException {
            long len = length(enclosingEnd);
            return pos + len;
        }

        byte[] bytes(int n) throws IOException {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) readByte();
            }
            return out;
        }

        void skip(int wireType, long end) throws IOException {
            switch (wireType) {
                case WIRE_VARINT -> varint();
                case WIRE_FIXED64 -> pos += 8;
                case WIRE_LENGTH -> {
                    long len = length(end); // read first: "pos += length()" would add to the old pos
                    pos += len;
                }
                case WIRE_FIXED32 -> pos += 4;
                default -> throw new IllegalStateException("unsupported wire type " + wireType + " at byte " + pos);
            }
            if (pos > end) {
                throw new IllegalStateException("field runs past its message at byte " + pos);
            }
        }
    }
}
