package dev.sdqueue.pipeline.scheduler;

/** An unknown scheduler name, or a scheduler option this implementation does not support. */
public final class UnsupportedSchedulerException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public UnsupportedSchedulerException(String message) {
        super(message);
    }
}
