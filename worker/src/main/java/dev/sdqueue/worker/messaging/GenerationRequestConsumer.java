package dev.sdqueue.worker.messaging;

import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.service.Admission;
import dev.sdqueue.worker.service.GenerationJobHandler;
import dev.sdqueue.worker.service.JobAttempt;
import dev.sdqueue.worker.service.JobOutcome;
import dev.sdqueue.worker.service.JobSupervisor;
import dev.sdqueue.worker.service.MicrometerStageRecorder;
import dev.sdqueue.worker.service.StageRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Takes requests off {@code sdq.generation.requests} and its retry topics (SmallRye's {@code delayed-retry-topic}
 * strategy merges them into this channel), one at a time per worker (one GPU), and routes each outcome:
 * <ul>
 * <li>completed, already ended, expired: acknowledge;</li>
 * <li>poison or invalid: dead-letter, then publish the final {@code failed}, then acknowledge;</li>
 * <li>transient with attempts left: nack to the next retry topic (SmallRye writes it, then acknowledges) and
 * publish nothing; on the last attempt: dead-letter, final {@code failed}, acknowledge;</li>
 * <li>stopped (shutdown grace over, partition revoked): nothing, the record stays unacknowledged.</li>
 * </ul>
 * One job runs on the model at a time (one GPU); once its images are decoded, the rest of it (PNG, upload,
 * {@code completed}, the routing above) moves to a finishing thread and this thread takes the next record, so the
 * model does not idle during PNG encoding and upload ({@code sdq.worker.finishing-jobs}, 0 turns this off). Records
 * are then acknowledged out of order, which the throttled commit strategy allows: it commits below the oldest one
 * not yet acknowledged.
 * Side effects come before the acknowledgement, so a crash in between repeats them (at least once) and never loses
 * the job; the handler's terminal-state check keeps the repeat from ending the job twice. The method never throws
 * and never returns a failed stage: with manual acknowledgement that would end the channel.
 */
@Singleton
public final class GenerationRequestConsumer {
    private static final Logger LOG = Logger.getLogger(GenerationRequestConsumer.class);
    static final String CHANNEL = "generation-requests";
    private static final Duration NACK_TIMEOUT = Duration.ofSeconds(90);
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);
    /** Returned for a record the finishing thread now owns (its lease and acknowledgement). */
    private static final CompletionStage<Void> HANDED_OFF = CompletableFuture.completedFuture(null);
    static final String JOBS_METRIC = "sdq.worker.jobs";

    private final GenerationJobHandler handler;
    private final DeadLetterPublisher deadLetters;
    private final PartitionOwnership ownership;
    private final JobSupervisor supervisor;
    private final RetryPolicy retries;
    private final RequestDecoder decoder;
    private final Duration backoff;
    private final StageRecorder stages;
    private final MeterRegistry registry;
    private final Map<String, Counter> jobs = new ConcurrentHashMap<>();
    /** Finishes jobs (PNG, upload, events, ack) while the model runs the next; null when finishing-jobs is 0. */
    private final JobFinisher finisher;
    /** The thread that runs the model when jobs are pipelined; null when finishing-jobs is 0. */
    private final ModelThread model;
    private final InFlightJobs inFlight = new InFlightJobs();
    private volatile long lastReturned;

    public GenerationRequestConsumer(GenerationJobHandler handler, DeadLetterPublisher deadLetters,
                                     @Identifier(PartitionOwnership.NAME) PartitionOwnership ownership,
                                     JobSupervisor supervisor, WorkerConfig.Worker config, Config mpConfig,
                                     MicrometerStageRecorder stages, MeterRegistry registry) {
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.ownership = ownership;
        this.supervisor = supervisor;
        this.retries = RetryPolicy.fromConfig(mpConfig, CHANNEL);
        this.decoder = new RequestDecoder(config.maxRequestBytes());
        this.backoff = config.retryBackoff();
        this.stages = stages;
        this.registry = registry;
        int finishingJobs = Math.max(0, config.finishingJobs());
        this.finisher = finishingJobs == 0 ? null : new JobFinisher(finishingJobs, stages);
        this.model = finishingJobs == 0 ? null : new ModelThread(stages);
        LOG.infof("jobs finishing while the model runs the next: up to %d", finishingJobs);
        LOG.infof("retries: topics %s, %d attempts in all", retries.topics(), retries.maxAttempts());
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        long entered = System.nanoTime();
        if (lastReturned != 0 && model == null) { // pipelined, the model thread records its own wait
            stages.record("dequeue", entered - lastReturned);
        }
        try {
            return route(message);
        } finally {
            lastReturned = System.nanoTime();
        }
    }

    private CompletionStage<Void> route(Message<byte[]> message) {
        try {
            Optional<IncomingKafkaRecordMetadata> found = message.getMetadata(IncomingKafkaRecordMetadata.class);
            if (found.isEmpty()) {
                LOG.error("a message without Kafka metadata on the request channel: acknowledged and ignored");
                return quietly(message.ack());
            }
            Delivery delivery = new Delivery(message, found.get());
            Optional<JobSupervisor.Lease> lease = supervisor.begin(delivery.toString());
            if (lease.isEmpty()) {
                // Draining for shutdown: park the stream on this record; it stays uncommitted and is redelivered.
                return new CompletableFuture<>();
            }
            JobSupervisor.Lease held = lease.get();
            CompletionStage<Void> result = DONE;
            try {
                result = process(delivery, held);
                return result;
            } catch (Stopped e) {
                LOG.infof("%s left unacknowledged: %s", delivery, e.getMessage());
                return DONE;
            } finally {
                if (result != HANDED_OFF) {
                    held.close();
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "unexpected failure while routing a request record; left unacknowledged");
            return DONE;
        }
    }

    private CompletionStage<Void> process(Delivery delivery, JobSupervisor.Lease lease) {
        boolean retried = retries.isRetryTopic(delivery.topic());
        if (!retried) {
            RetryPolicy.forgetRetries(delivery.headers());
        }
        int attempt = retried ? RetryPolicy.attemptOf(delivery.headers()) : 1;
        // Records of the retry topics come from SmallRye's own retry consumer, which has no rebalance listener.
        PartitionOwnership.Claim claim = retried ? null : ownership.claim(delivery.topic(), delivery.partition());
        JobAttempt.AbortSignal abort = () -> {
            JobAttempt.AbortReason reason = lease.abortReason();
            if (reason != JobAttempt.AbortReason.NONE) {
                return reason;
            }
            return claim != null && !claim.held() ? JobAttempt.AbortReason.REVOKED : JobAttempt.AbortReason.NONE;
        };

        RequestDecoder.Decoded decoded = decoder.decode(delivery.keyBytes(), delivery.message.getPayload(),
                delivery.headers());
        if (decoded instanceof RequestDecoder.Poison poison) {
            LOG.warnf("%s is not a readable request: %s: %s", delivery, poison.reason(), poison.message());
            deadLetter(delivery, poison.reason(), poison.message(), attempt, null, abort);
            if (poison.jobId() != null) {
                mustDo("the failed event of " + poison.jobId(), abort,
                        () -> handler.fail(poison.jobId(), attempt, poison.reason(), poison.message(), false));
            }
            return ack(delivery);
        }
        GenerationRequested request = ((RequestDecoder.Request) decoded).request();
        awaitInFlight(request.jobId(), abort);
        if (model == null) { // sdq.worker.finishing-jobs=0: the whole job on this thread
            GenerationJobHandler.Inference inference = handler.infer(request, new JobAttempt(attempt, abort));
            return routeOutcome(delivery, request, attempt, inference.finish(), abort);
        }
        Admission admission = handler.admit(request.jobId());
        CompletableFuture<Void> ended = inFlight.begin(request.jobId());
        try {
            model.submit(() -> onModel(delivery, lease, request, attempt, abort, admission, ended));
        } catch (InterruptedException e) {
            inFlight.end(request.jobId(), ended);
            Thread.currentThread().interrupt();
            throw new Stopped("interrupted while waiting for the model");
        }
        return HANDED_OFF;
    }

    /**
     * On the model thread: runs the model on the job, then hands the rest (PNG, upload, completed, routing and the
     * acknowledgement) to a finishing thread; routes here what ended without images. A job still waiting when the
     * worker starts draining is left unacknowledged (another worker takes it) instead of delaying the shutdown.
     */
    private void onModel(Delivery delivery, JobSupervisor.Lease lease, GenerationRequested request, int attempt,
                         JobAttempt.AbortSignal abort, Admission admission, CompletableFuture<Void> ended) {
        boolean finishing = false;
        try {
            if (supervisor.draining()) {
                LOG.infof("%s left unacknowledged: the worker is shutting down", delivery);
                return;
            }
            GenerationJobHandler.Inference inference = handler.infer(request, new JobAttempt(attempt, abort),
                    admission);
            if (inference instanceof GenerationJobHandler.Inference.Pending) {
                finisher.submit(() -> {
                    try {
                        routeOutcome(delivery, request, attempt, inference.finish(), abort);
                    } catch (Stopped e) {
                        LOG.infof("%s left unacknowledged: %s", delivery, e.getMessage());
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "unexpected failure while finishing %s; left unacknowledged", delivery);
                    } finally {
                        lease.close();
                        inFlight.end(request.jobId(), ended);
                    }
                });
                finishing = true;
            } else {
                routeOutcome(delivery, request, attempt, inference.finish(), abort);
            }
        } catch (Stopped e) {
            LOG.infof("%s left unacknowledged: %s", delivery, e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "unexpected failure while running %s; left unacknowledged", delivery);
        } finally {
            if (!finishing) {
                lease.close();
                inFlight.end(request.jobId(), ended);
            }
        }
    }

    /** A duplicate of a job still in flight here waits for it (then finds it ended rather than running it again). */
    private void awaitInFlight(String jobId, JobAttempt.AbortSignal abort) {
        try {
            inFlight.await(jobId, () -> stopIfSignalled(abort));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped("interrupted");
        }
    }

    private CompletionStage<Void> routeOutcome(Delivery delivery, GenerationRequested request, int attempt,
                                               JobOutcome outcome, JobAttempt.AbortSignal abort) {
        jobs.computeIfAbsent(outcome.getClass().getSimpleName(), name -> Counter.builder(JOBS_METRIC)
                .tag("outcome", name.toLowerCase(Locale.ROOT)).description("deliveries handled, by outcome")
                .register(registry)).increment();
        if (outcome instanceof JobOutcome.Rejected rejected) {
            deadLetter(delivery, rejected.reason(), rejected.message(), attempt, null, abort);
            mustDo("the failed event of " + request.jobId(), abort,
                    () -> handler.fail(request.jobId(), attempt, rejected.reason(), rejected.message(), false));
            return ack(delivery);
        }
        if (outcome instanceof JobOutcome.Transient failure) {
            return afterTransientFailure(delivery, request, attempt, failure, abort);
        }
        if (outcome instanceof JobOutcome.Aborted aborted) {
            throw new Stopped("job " + request.jobId() + " stopped (" + aborted.why() + ")");
        }
        return ack(delivery); // Completed, AlreadyTerminal, Expired
    }

    /** The supervisor's drain waits for jobs still finishing (each holds a lease). */
    @PreDestroy
    void stopFinishing() {
        if (finisher != null) {
            model.close();
            finisher.close();
        }
    }

    private CompletionStage<Void> afterTransientFailure(Delivery delivery, GenerationRequested request, int attempt,
                                                        JobOutcome.Transient failure, JobAttempt.AbortSignal abort) {
        stopIfSignalled(abort);
        Instant now = Instant.now();
        RetryPolicy.Decision next = retries.afterFailure(attempt, RetryPolicy.firstProcessing(delivery.headers(), now),
                now, request.deadline());
        String jobId = request.jobId();
        if (next instanceof RetryPolicy.Retry retry) {
            LOG.infof("job %s attempt %d failed (%s: %s): retry via %s", jobId, attempt, failure.reason(),
                    failure.message(), retry.topic());
            mustDo("the retry of job " + jobId, abort, () -> nackTo(delivery, retry.topic(), failure));
            return DONE; // SmallRye acknowledged the record once the retry record was written
        }
        if (next instanceof RetryPolicy.Expire expire) {
            String message = expire.why() + "; attempt " + attempt + " failed: " + failure.reason() + ": "
                    + failure.message();
            mustDo("the failed event of " + jobId, abort, () -> handler.fail(jobId, attempt, "expired", message,
                    false));
            return ack(delivery);
        }
        String why = ((RetryPolicy.GiveUp) next).why();
        String message = failure.message() + " (" + why + ")";
        deadLetter(delivery, failure.reason(), message, attempt, failure.cause(), abort);
        mustDo("the failed event of " + jobId, abort, () -> handler.fail(jobId, attempt, failure.reason(), message,
                true));
        return ack(delivery);
    }

    /** Hands the record to SmallRye's delayed-retry strategy, naming the topic (its own choice is not used). */
    private void nackTo(Delivery delivery, String topic, JobOutcome.Transient failure) throws Exception {
        Metadata target = Metadata.of(OutgoingKafkaRecordMetadata.builder().withTopic(topic).build());
        delivery.message.nack(new TransientJobFailure(failure.reason() + ": " + failure.message(), failure.cause()),
                target).toCompletableFuture().get(NACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void deadLetter(Delivery delivery, String reason, String message, int attempt, Throwable cause,
                            JobAttempt.AbortSignal abort) {
        DeadLetterPublisher.DeadLetter letter = new DeadLetterPublisher.DeadLetter(delivery.topic(),
                delivery.partition(), delivery.offset(), delivery.keyBytes(), delivery.message.getPayload(),
                delivery.headers(), reason, message, attempt, cause);
        mustDo("the dead letter of " + delivery, abort, () -> deadLetters.send(letter));
    }

    /**
     * Runs a step the acknowledgement depends on until it succeeds (Kafka may be briefly away): giving up would
     * either lose the job or end it without its terminal event. Stops only when the worker must let go of the record.
     */
    private void mustDo(String what, JobAttempt.AbortSignal abort, Step step) {
        while (true) {
            stopIfSignalled(abort);
            try {
                step.run();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped("interrupted while writing " + what);
            } catch (Exception e) {
                LOG.warnf("writing %s failed, again in %d ms: %s", what, backoff.toMillis(), e);
                sleep(backoff);
            }
        }
    }

    /** Shutdown past its grace or a revoked partition: the record is no longer this worker's to finish. */
    private static void stopIfSignalled(JobAttempt.AbortSignal abort) {
        JobAttempt.AbortReason reason = abort.reason();
        if (reason == JobAttempt.AbortReason.SHUTDOWN || reason == JobAttempt.AbortReason.REVOKED) {
            throw new Stopped(reason.name().toLowerCase());
        }
    }

    private static CompletionStage<Void> ack(Delivery delivery) {
        return quietly(delivery.message.ack());
    }

    private static CompletionStage<Void> quietly(CompletionStage<Void> ack) {
        return ack.exceptionally(e -> {
            LOG.warnf("acknowledgement failed (the record will be redelivered): %s", e);
            return null;
        });
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped("interrupted");
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** The record is left unacknowledged, to be redelivered to whoever owns it next. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String message) {
            super(message, null, false, false);
        }
    }

    /** The nack reason SmallRye writes into the retry record's {@code delayed-retry-reason} header. */
    static final class TransientJobFailure extends Exception {
        private static final long serialVersionUID = 1L;

        TransientJobFailure(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** One record and where it came from. */
    private record Delivery(Message<byte[]> message, IncomingKafkaRecordMetadata<?, ?> kafka) {
        String topic() {
            return kafka.getTopic();
        }

        int partition() {
            return kafka.getPartition();
        }

        long offset() {
            return kafka.getOffset();
        }

        Headers headers() {
            return kafka.getHeaders();
        }

        byte[] keyBytes() {
            Object key = kafka.getKey();
            if (key == null || key instanceof byte[]) {
                return (byte[]) key;
            }
            return key.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return topic() + "-" + partition() + "@" + offset();
        }
    }
}
