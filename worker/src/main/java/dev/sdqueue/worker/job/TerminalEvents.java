package dev.sdqueue.worker.job;

import dev.sdqueue.schema.GenerationEvent;
import java.time.Clock;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Publishes a job's one terminal event ({@code completed} or {@code failed}), checking the ended-jobs index right
 * before: another delivery of the job may have ended it meanwhile, and a job ends once.
 */
public final class TerminalEvents {
    private static final Logger LOG = Logger.getLogger(TerminalEvents.class);

    private final EventPublisher events;
    private final TerminalStates terminals;
    private final Clock clock;

    public TerminalEvents(EventPublisher events, TerminalStates terminals, Clock clock) {
        this.events = events;
        this.terminals = terminals;
        this.clock = clock;
    }

    /** The broker did not acknowledge an event a job's outcome depends on. */
    public static final class NotAcknowledgedException extends Exception {
        private static final long serialVersionUID = 1L;

        NotAcknowledgedException(String type, Throwable cause) {
            super("the " + type + " event was not acknowledged: " + OutcomeClassifier.describe(cause), cause);
        }
    }

    /**
     * Publishes {@code event} unless the job already has a terminal event, while the delivery is still this
     * worker's ({@link JobAttempt.AbortSignal#whileOurs}: the write happens before a revocation of the record's
     * partition can complete). The check comes before, outside that fence: it may wait for the index (up to its
     * sync timeout), and the fence holds off the rebalance on the consumer's poll thread. That is still safe: a new
     * owner cannot start the job before our revocation completes, and the revocation cannot complete while we hold
     * the fence for the write (one that completed in between makes {@code whileOurs} refuse).
     *
     * @return empty if published, else the type of the terminal event the job already had
     */
    Optional<String> publish(GenerationEvent event, JobAttempt.AbortSignal owner)
            throws TerminalStates.UnavailableException, NotAcknowledgedException, JobAttempt.NoLongerOursException {
        Optional<String> done = terminals.terminalOf(event.jobId());
        if (done.isPresent()) {
            LOG.infof("job %s already ended %s elsewhere: %s not published", event.jobId(), done.get(), event.type());
            return done;
        }
        try {
            return owner.whileOurs(() -> publishNow(event));
        } catch (NotAcknowledgedException | JobAttempt.NoLongerOursException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("unexpected failure while publishing " + event.type(), e);
        }
    }

    private Optional<String> publishNow(GenerationEvent event) throws NotAcknowledgedException {
        try {
            events.publish(event);
        } catch (RuntimeException e) {
            throw new NotAcknowledgedException(event.type(), e);
        }
        terminals.published(event.jobId(), event.type());
        return Optional.empty();
    }

    /**
     * Publishes the job's final {@code failed} event, unless it already has a terminal event. The record's adapter
     * calls it when no retry follows (after dead-lettering the record where that applies).
     *
     * @return true if published, false if the job had already ended
     */
    public boolean fail(String jobId, int attempt, String reason, String message, boolean retriable,
                        JobAttempt.AbortSignal owner)
            throws TerminalStates.UnavailableException, NotAcknowledgedException, JobAttempt.NoLongerOursException {
        boolean published = publish(new GenerationEvent.Failed(jobId, clock.instant(), attempt, reason, message,
                retriable), owner).isEmpty();
        if (published) {
            LOG.infof("job %s failed (attempt %d): %s: %s", jobId, attempt, reason, message);
        }
        return published;
    }
}
