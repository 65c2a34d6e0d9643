package dev.sdqueue.pipeline.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.sdqueue.pipeline.InferenceException;

import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.Set;

/** CLIP text encoder: input_ids (int32 or int64) [batch, seq] to last_hidden_state [batch, seq, hidden]. */
public final class TextEncoder implements AutoCloseable {

    /** Encoder states of a batch of prompts: {@code data} is [batch, seq, hidden] in C order. */
    public record Encoded(float[] data, int batch, int seq, int hidden) {
    }

    private final OrtEnvironment env;
    private final OnnxComponent c;
    private final OnnxJavaType idType;
    private final String output;
    private final long fixedBatch;
    private final long fixedHidden;

    TextEncoder(OrtEnvironment env, OnnxComponent c, int tokenLength) {
        this.env = env;
        this.c = c;
        TensorInfo ids = c.requireInput("input_ids", Set.of(OnnxJavaType.INT32, OnnxJavaType.INT64), 2);
        c.rejectUnknownInputs(Set.of("input_ids"));
        this.idType = ids.type;
        this.output = c.requireOutput("last_hidden_state", Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16), 3);
        long seq = ids.getShape()[1];
        if (seq > 0 && seq != tokenLength) {
            throw c.error("input 'input_ids' has fixed sequence length " + seq + " but the tokenizer produces "
                    + tokenLength + " tokens");
        }
        this.fixedBatch = ids.getShape()[0];
        this.fixedHidden = c.outputs.get(output).getShape()[2];
    }

    /** Hidden size if the network declares it, else -1. */
    long fixedHidden() {
        return fixedHidden;
    }

    /** Encodes each row of {@code ids} (all the same length); one batched call unless the batch is fixed. */
    public Encoded encode(int[][] ids) {
        int seq = ids[0].length;
        int chunk = fixedBatch > 0 ? (int) fixedBatch : ids.length;
        if (ids.length % chunk != 0) {
            throw new InferenceException("text_encoder has a fixed batch of " + chunk + ", cannot encode "
                    + ids.length + " prompts", null);
        }
        float[] all = null;
        int hidden = -1;
        for (int start = 0; start < ids.length; start += chunk) {
            float[] part = run(ids, start, chunk, seq);
            if (all == null) {
                hidden = part.length / (chunk * seq);
                all = new float[ids.length * seq * hidden];
            }
            System.arraycopy(part, 0, all, start * seq * hidden, part.length);
        }
        return new Encoded(all, ids.length, seq, hidden);
    }

    private float[] run(int[][] ids, int start, int n, int seq) {
        long[] shape = {n, seq};
        try (OnnxTensor input = idTensor(ids, start, n, seq, shape);
             OrtSession.Result result = c.session.run(Map.of("input_ids", input), Set.of(output))) {
            OnnxValue v = result.get(output).orElseThrow();
            float[] data = Tensors.toFloats((OnnxTensor) v);
            if (data.length % (n * seq) != 0) {
                throw new InferenceException("text_encoder output has " + data.length + " values for " + n
                        + "x" + seq + " tokens", null);
            }
            return data;
        } catch (OrtException e) {
            throw new InferenceException("text_encoder failed: " + e.getMessage(), e);
        }
    }

    private OnnxTensor idTensor(int[][] ids, int start, int n, int seq, long[] shape) throws OrtException {
        if (idType == OnnxJavaType.INT32) {
            IntBuffer b = IntBuffer.allocate(n * seq);
            for (int i = 0; i < n; i++) {
                b.put(ids[start + i]);
            }
            b.flip();
            return OnnxTensor.createTensor(env, b, shape);
        }
        LongBuffer b = LongBuffer.allocate(n * seq);
        for (int i = 0; i < n; i++) {
            for (int id : ids[start + i]) {
                b.put(id);
            }
        }
        b.flip();
        return OnnxTensor.createTensor(env, b, shape);
    }

    @Override
    public void close() {
        c.close();
    }
}
