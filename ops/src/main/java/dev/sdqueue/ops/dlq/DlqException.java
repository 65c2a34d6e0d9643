package dev.sdqueue.ops.dlq;

/** A failure the DLQ tools report in one line (exit code 1), without a stack trace. */
public final class DlqException extends RuntimeException {
    public DlqException(String message) {
        super(message);
    }

    public DlqException(String message, Throwable cause) {
        super(message, cause);
    }
}
