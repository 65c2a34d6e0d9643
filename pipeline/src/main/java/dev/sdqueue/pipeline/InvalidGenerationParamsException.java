package dev.sdqueue.pipeline;

/** The request cannot be served by this model (bad size, unknown scheduler, ...). Not retriable. */
public final class InvalidGenerationParamsException extends PipelineException {

    private static final long serialVersionUID = 1L;

    public InvalidGenerationParamsException(String message) {
        super(message, null);
    }

    public InvalidGenerationParamsException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "invalid_request";
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
