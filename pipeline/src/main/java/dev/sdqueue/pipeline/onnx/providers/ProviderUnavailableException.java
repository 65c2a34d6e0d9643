package dev.sdqueue.pipeline.onnx.providers;

import dev.sdqueue.pipeline.ProviderFailure;

/** A provider could not be added to a session, or a session could not be created with it: try the next. */
public final class ProviderUnavailableException extends RuntimeException {

    private final transient ProviderFailure failure;

    public ProviderUnavailableException(ProviderFailure failure, Throwable cause) {
        super(failure.describe(), cause);
        this.failure = failure;
    }

    public ProviderFailure failure() {
        return failure;
    }
}
