package dev.sdqueue.worker.kafka;

import dev.sdqueue.worker.job.JobAttempt;
import dev.sdqueue.worker.job.TerminalEvents;
import dev.sdqueue.worker.routing.RecordDecision;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Carries out a {@link RecordDecision} on a record. Every write comes before the acknowledgement, so a crash in
 * between repeats it (at least once) and never loses the job; each write is tried until it succeeds (Kafka may be
 * briefly away: giving up would lose the job or end it without its terminal event) or until the worker must let go
 * of the record (shutdown past its grace, partition revoked), which leaves it unacknowledged.
 */
final class RecordActions {
    private static final Logger LOG = Logger.getLogger(RecordActions.class);
    private static final Duration NACK_TIMEOUT = Duration.ofSeconds(90);

    private final DeadLetterPublisher deadLetters;
    private final TerminalEvents terminalEvents;
    private final Duration backoff;

    RecordActions(DeadLetterPublisher deadLetters, TerminalEvents terminalEvents, Duration backoff) {
        this.deadLetters = deadLetters;
        this.terminalEvents = terminalEvents;
        this.backoff = backoff;
    }

    /** {@code jobId} is null for a record that names no job (some poison): it gets no {@code failed} event. */
    void carryOut(Delivery delivery, String jobId, int attempt, RecordDecision decision,
                  JobAttempt.AbortSignal abort) {
        if (decision instanceof RecordDecision.Acknowledge) {
            acknowledge(delivery);
        } else if (decision instanceof RecordDecision.RetryVia retry) {
            LOG.infof("job %s attempt %d failed (%s: %s): retry via %s", jobId, attempt, retry.reason(),
                    retry.message(), retry.topic());
            // SmallRye acknowledges the record once the retry record is written.
            mustDo(delivery, "the retry of job " + jobId, abort, () -> nackTo(delivery, retry));
        } else if (decision instanceof RecordDecision.DeadLetterThenFail dead) {
            DeadLetterPublisher.DeadLetter letter = new DeadLetterPublisher.DeadLetter(delivery.topic(),
                    delivery.partition(), delivery.offset(), delivery.keyBytes(), delivery.value(),
                    delivery.headers(), dead.reason(), dead.message(), attempt, dead.cause());
            if (mustDo(delivery, "the dead letter of " + delivery, abort, () -> deadLetters.send(letter))
                    && (jobId == null || mustDo(delivery, "the failed event of " + jobId, abort,
                            () -> terminalEvents.fail(jobId, attempt, dead.reason(), dead.message(),
                                    dead.retriable(), abort)))) {
                acknowledge(delivery);
            }
        } else if (decision instanceof RecordDecision.FailExpired expired) {
            if (mustDo(delivery, "the failed event of " + jobId, abort,
                    () -> terminalEvents.fail(jobId, attempt, "expired", expired.message(), false, abort))) {
                acknowledge(delivery);
            }
        } else {
            LOG.infof("%s left unacknowledged: %s", delivery, ((RecordDecision.LeaveUnacknowledged) decision).why());
        }
    }

    /** Hands the record to SmallRye's delayed-retry strategy, naming the topic (its own choice is not used). */
    private static void nackTo(Delivery delivery, RecordDecision.RetryVia retry) throws Exception {
        Metadata target = Metadata.of(OutgoingKafkaRecordMetadata.builder().withTopic(retry.topic()).build());
        delivery.message().nack(new TransientJobFailure(retry.reason() + ": " + retry.message(), retry.cause()),
                target).toCompletableFuture().get(NACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void acknowledge(Delivery delivery) {
        delivery.message().ack().exceptionally(e -> {
            LOG.warnf("acknowledgement of %s failed (the record will be redelivered): %s", delivery, e);
            return null;
        });
    }

    @FunctionalInterface
    private interface Write {
        void run() throws Exception;
    }

    /** True once {@code write} succeeded; false if the worker must let go of the record first. */
    private boolean mustDo(Delivery delivery, String what, JobAttempt.AbortSignal abort, Write write) {
        while (true) {
            JobAttempt.AbortReason reason = abort.reason();
            if (reason == JobAttempt.AbortReason.SHUTDOWN || reason == JobAttempt.AbortReason.REVOKED) {
                LOG.infof("%s left unacknowledged before writing %s: %s", delivery, what, reason);
                return false;
            }
            try {
                write.run();
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.infof("%s left unacknowledged: interrupted while writing %s", delivery, what);
                return false;
            } catch (JobAttempt.NoLongerOursException e) {
                // Not a failure to retry: the partition's new owner redoes the record.
                LOG.infof("%s left unacknowledged: its partition moved before writing %s", delivery, what);
                return false;
            } catch (Exception e) {
                LOG.warnf("writing %s failed, again in %d ms: %s", what, backoff.toMillis(), e);
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /** The nack reason SmallRye writes into the retry record's {@code delayed-retry-reason} header. */
    static final class TransientJobFailure extends Exception {
        private static final long serialVersionUID = 1L;

        TransientJobFailure(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
