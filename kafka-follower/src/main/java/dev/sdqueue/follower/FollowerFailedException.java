package dev.sdqueue.follower;

/** The follower stopped on an error it does not retry; the cause is the handler's or the Kafka client's error. */
public final class FollowerFailedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public FollowerFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
