package dev.sdqueue.worker.kafka;

import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.worker.job.JobAttempt;
import dev.sdqueue.worker.job.JobExecutor;
import dev.sdqueue.worker.job.JobOutcome;
import dev.sdqueue.worker.job.JobQueue;
import dev.sdqueue.worker.job.JobSupervisor;
import dev.sdqueue.worker.routing.DecisionTable;
import dev.sdqueue.worker.routing.RecordDecision;
import dev.sdqueue.worker.routing.RetrySchedule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The adapter between the request channel and the job executor. Takes records off {@code sdq.generation.requests}
 * and its retry topics (SmallRye's {@code delayed-retry-topic} strategy merges them into this channel), decodes each
 * (poison is routed at once), hands requests to the {@link JobExecutor}, and when a delivery's outcome is known asks
 * the {@link DecisionTable} what to do with the record and has {@link RecordActions} do it. It decides nothing
 * itself. Records are acknowledged out of order (a job finishes while the next runs), which the throttled commit
 * strategy allows: it commits below the oldest one not yet acknowledged. The method never throws and never returns
 * a failed stage: with manual acknowledgement that would end the channel.
 */
@Singleton
public final class GenerationRequestConsumer {
    private static final Logger LOG = Logger.getLogger(GenerationRequestConsumer.class);
    static final String CHANNEL = "generation-requests";
    static final String JOBS_METRIC = "sdq.worker.jobs";
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final JobQueue executor;
    private final JobSupervisor supervisor;
    private final PartitionOwnership ownership;
    private final EventCoverage terminals;
    private final RequestDecoder decoder;
    private final RetrySchedule retries;
    private final DecisionTable table;
    private final RecordActions actions;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, Counter> jobs = new ConcurrentHashMap<>();

    @Inject
    GenerationRequestConsumer(JobQueue executor, JobSupervisor supervisor,
                              @Identifier(PartitionOwnership.NAME) PartitionOwnership ownership,
                              EventCoverage terminals, RequestDecoder decoder, RetrySchedule retries,
                              RecordActions actions, Clock clock, MeterRegistry registry) {
        this.executor = executor;
        this.supervisor = supervisor;
        this.ownership = ownership;
        this.terminals = terminals;
        this.decoder = decoder;
        this.retries = retries;
        this.table = new DecisionTable(retries);
        this.actions = actions;
        this.clock = clock;
        this.registry = registry;
        LOG.infof("retries: topics %s, %d attempts in all", retries.topics(), retries.maxAttempts());
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        Optional<IncomingKafkaRecordMetadata> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class);
        if (kafka.isEmpty()) {
            LOG.error("a message without Kafka metadata on the request channel: acknowledged and ignored");
            message.ack();
            return DONE;
        }
        Delivery delivery = new Delivery(message, kafka.get());
        Optional<JobSupervisor.Lease> lease = supervisor.begin(delivery.toString());
        if (lease.isEmpty()) {
            // Draining for shutdown: park the stream on this record; it stays uncommitted and is redelivered.
            return new CompletableFuture<>();
        }
        Received received = null;
        try {
            received = receive(delivery, lease.get());
            dispatch(delivery, received);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.infof("%s left unacknowledged: interrupted while waiting for the model", delivery);
            lease.get().close();
        } catch (RuntimeException e) {
            // A bug here must not leave the record unacknowledged: that would stall its partition's commits.
            LOG.errorf(e, "unexpected failure while taking %s: routed as a transient internal_error", delivery);
            Received known = received != null ? received : new Received(1, null, null, JobAttempt.AbortSignal.NEVER,
                    null, lease.get());
            route(delivery, known, JobOutcome.Transient.internalError(e));
            lease.get().close();
        }
        return DONE;
    }

    /**
     * Stops a delivery when the worker drains or times the job out (the lease), or when its partition was revoked
     * (the claim; none for retry-topic records: SmallRye's retry consumer has no rebalance listener), and fences its
     * terminal event against a revocation.
     */
    private record DeliveryAbortSignal(JobSupervisor.Lease lease, PartitionOwnership.Claim claim)
            implements JobAttempt.AbortSignal {
        @Override
        public JobAttempt.AbortReason reason() {
            JobAttempt.AbortReason reason = lease.abortReason();
            if (reason != JobAttempt.AbortReason.NONE) {
                return reason;
            }
            return claim != null && !claim.held() ? JobAttempt.AbortReason.REVOKED : JobAttempt.AbortReason.NONE;
        }

        @Override
        public <T> T whileOurs(JobAttempt.Write<T> write) throws Exception {
            return claim == null ? write.run() : claim.whileHeld(write);
        }
    }

    /** What the adapter knows of a delivery before the job runs. */
    private record Received(int attempt, Instant firstFailure, String jobId, JobAttempt.AbortSignal abort,
                            Instant deadline, JobSupervisor.Lease lease) {
        /** Once decoded: the job the record names (null for some poison) and its deadline. */
        Received naming(String job, Instant due) {
            return new Received(attempt, firstFailure, job, abort, due, lease);
        }
    }

    private Received receive(Delivery delivery, JobSupervisor.Lease lease) {
        boolean retried = retries.isRetryTopic(delivery.topic());
        if (!retried) {
            RetryHeaders.forget(delivery.headers());
        }
        // Records of the retry topics come from SmallRye's own retry consumer, which has no rebalance listener.
        PartitionOwnership.Claim claim = retried ? null : ownership.claim(delivery.topic(), delivery.partition());
        JobAttempt.AbortSignal abort = new DeliveryAbortSignal(lease, claim);
        return new Received(retried ? RetryHeaders.attemptOf(delivery.headers()) : 1,
                retried ? RetryHeaders.firstFailure(delivery.headers()) : null, null, abort, null, lease);
    }

    private void dispatch(Delivery delivery, Received received) throws InterruptedException {
        RequestDecoder.Decoded decoded = decoder.decode(delivery.keyBytes(), delivery.value(), delivery.headers());
        if (decoded instanceof RequestDecoder.Poison poison) {
            if (poison.jobId() != null) {
                terminals.cover(poison.jobId(), delivery.timestamp()); // it may get a failed event
            }
            LOG.warnf("%s is not a readable request: %s: %s", delivery, poison.reason(), poison.message());
            route(delivery, received.naming(poison.jobId(), null),
                    new JobOutcome.Rejected(poison.reason(), poison.message()));
            received.lease().close();
            return;
        }
        GenerationRequested request = ((RequestDecoder.Request) decoded).request();
        // Its job's events partition is read from this record's time on: the duplicate checks look there.
        terminals.cover(request.jobId(), delivery.timestamp());
        Received job = received.naming(request.jobId(), request.deadline());
        executor.submit(new JobExecutor.Ticket(request, new JobAttempt(job.attempt(), job.abort()), job.lease(),
                outcome -> route(delivery, job, outcome)));
    }

    /** The decision table's answer for this outcome, carried out. */
    private void route(Delivery delivery, Received received, JobOutcome outcome) {
        count(outcome);
        DecisionTable.Attempt attempt = new DecisionTable.Attempt(received.attempt(), received.firstFailure(),
                received.abort().reason());
        RecordDecision decision = table.decide(outcome, attempt, received.deadline(), clock.instant());
        actions.carryOut(delivery, received.jobId(), received.attempt(), decision, received.abort());
    }

    private void count(JobOutcome outcome) {
        jobs.computeIfAbsent(outcome.getClass().getSimpleName(), name -> Counter.builder(JOBS_METRIC)
                .tag("outcome", name.toLowerCase(Locale.ROOT)).description("deliveries handled, by outcome")
                .register(registry)).increment();
    }
}
