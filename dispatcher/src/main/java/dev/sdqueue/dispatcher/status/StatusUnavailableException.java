package dev.sdqueue.dispatcher.status;

/** No store can say right now whether a job exists (starting, rebalancing, owner unreachable): answer 503. */
public final class StatusUnavailableException extends RuntimeException {
    public StatusUnavailableException(String message) {
        super(message);
    }
}
