package dev.sdqueue.pipeline;

/** ONNX Runtime failed while running a network (e.g. out of memory). Possibly transient. */
public final class InferenceException extends PipelineException {

    private static final long serialVersionUID = 1L;

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "inference_failed";
    }

    @Override
    public boolean retriable() {
        return true;
    }
}
