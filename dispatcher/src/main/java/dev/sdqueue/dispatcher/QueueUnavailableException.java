package dev.sdqueue.dispatcher;

/** Kafka did not acknowledge a request in time: the client gets 503 and must retry; nothing was accepted. */
public final class QueueUnavailableException extends RuntimeException {
    public QueueUnavailableException(String message) {
        super(message);
    }
}
