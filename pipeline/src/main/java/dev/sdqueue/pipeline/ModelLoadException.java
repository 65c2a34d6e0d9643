package dev.sdqueue.pipeline;

/** A model folder is missing a file, has an unexpected tensor, or ONNX Runtime cannot open it. */
public final class ModelLoadException extends PipelineException {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message, null);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "model_load_failed";
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
