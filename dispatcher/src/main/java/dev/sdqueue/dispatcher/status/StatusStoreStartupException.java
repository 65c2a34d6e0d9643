package dev.sdqueue.dispatcher.status;

/** The status store must not start: the topics are wrong or missing (the message says which and how to fix it). */
public final class StatusStoreStartupException extends RuntimeException {
    public StatusStoreStartupException(String message) {
        super(message);
    }
}
