package dev.sdqueue.dispatcher;

/**
 * No acknowledgement from Kafka within {@code sdq.publish.ack-timeout}: the client gets 503 and retries. The
 * producer's own timeouts are shorter, so normally the producer has given up on the record by then.
 */
public final class QueueUnavailableException extends RuntimeException {
    public QueueUnavailableException(String message) {
        super(message);
    }
}
