package dev.sdqueue.pipeline;

/**
 * Base of the pipeline's failures, classified for the caller's failure event: a stable
 * {@link #reason()} code and whether retrying the same request may succeed.
 */
public abstract class PipelineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected PipelineException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Stable machine-readable code, e.g. "invalid_request". */
    public abstract String reason();

    /** Whether the same request could succeed on a retry (e.g. a transient runtime failure). */
    public abstract boolean retriable();
}
