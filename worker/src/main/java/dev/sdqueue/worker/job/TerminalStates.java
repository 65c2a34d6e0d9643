package dev.sdqueue.worker.job;

import java.util.Optional;

/**
 * Which jobs already have their terminal event ({@code completed} or {@code failed}) on the event topic. The job
 * handler asks before it starts a job and again right before it publishes a terminal event, so a redelivered job
 * never gets a second one. Implemented over {@code sdq.generation.events} in the messaging package.
 */
public interface TerminalStates {

    /**
     * The type of the job's terminal event, taking into account every event the broker acknowledged before this
     * call (from any worker), or empty if it has none.
     *
     * @throws UnavailableException if that cannot be established in time (the event topic is unreachable)
     */
    Optional<String> terminalOf(String jobId) throws UnavailableException;

    /** This worker just published a terminal event for the job (acknowledged by the broker). */
    void published(String jobId, String type);

    /** The event topic could not be read up to date: the job must not run or finish now. */
    final class UnavailableException extends Exception {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
