package dev.sdqueue.worker.kafka;

import dev.sdqueue.schema.Headers;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Writes a request record to {@code sdq.generation.requests.dlq}: the original key, value and headers, plus the
 * reason ({@link Headers#DLQ_REASON} code, {@link Headers#DLQ_MESSAGE}), where it came from (SmallRye's
 * {@code dead-letter-topic|partition|offset|reason} names, so tools that know SmallRye's DLQ read it too) and the
 * attempts made. Waits for the broker's acknowledgement: the consumer acknowledges the request only after that.
 */
@Singleton
public final class DeadLetterPublisher {
    private static final Logger LOG = Logger.getLogger(DeadLetterPublisher.class);
    /** Bounded by the producer's delivery.timeout.ms; this only guards against a wedged client. */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);
    /** Header names of SmallRye's dead-letter-queue strategy (KafkaDeadLetterQueue). */
    static final String DEAD_LETTER_REASON = "dead-letter-reason";
    static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
    static final String DEAD_LETTER_PARTITION = "dead-letter-partition";
    static final String DEAD_LETTER_OFFSET = "dead-letter-offset";
    static final String DEAD_LETTER_EXCEPTION = "dead-letter-exception-class-name";
    /** The attempt that gave up (1 for records that never ran, e.g. poison). */
    public static final String ATTEMPTS = "sdq-dlq-attempts";
    /** The worker that dead-lettered the record. */
    public static final String WORKER = "sdq-dlq-worker";
    /** Set (to the original size in bytes) when the value was too large for the DLQ and was left out. */
    public static final String VALUE_DROPPED = "sdq-dlq-value-dropped-bytes";

    private final MutinyEmitter<byte[]> emitter;
    private final String workerId;

    public DeadLetterPublisher(@Channel("generation-dead-letters") MutinyEmitter<byte[]> emitter,
                               WorkerIdentity identity) {
        this.emitter = emitter;
        this.workerId = identity.id();
    }

    /** A record to dead-letter and why. {@code cause} may be null. */
    public record DeadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
                             org.apache.kafka.common.header.Headers headers, String reason, String message,
                             int attempts, Throwable cause) {
    }

    /** Sends and waits for the acknowledgement; throws if the broker did not take it. */
    public void send(DeadLetter letter) {
        try {
            await(letter, letter.value());
        } catch (RuntimeException e) {
            if (!causedBy(e, RecordTooLargeException.class) || letter.value() == null) {
                throw e;
            }
            // The request topic took a record the DLQ cannot: keep the reason and where to find the original.
            LOG.warnf("dead letter of %s-%d@%d too large (%d bytes): sent without its value", letter.topic(),
                    letter.partition(), letter.offset(), letter.value().length);
            await(letter, new byte[0]);
        }
        LOG.infof("dead-lettered %s-%d@%d: %s: %s", letter.topic(), letter.partition(), letter.offset(),
                letter.reason(), letter.message());
    }

    private void await(DeadLetter letter, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        if (letter.headers() != null) {
            for (Header header : letter.headers()) {
                headers.add(header.key(), header.value());
            }
        }
        put(headers, Headers.DLQ_REASON, letter.reason());
        put(headers, Headers.DLQ_MESSAGE, letter.message());
        put(headers, DEAD_LETTER_REASON, letter.reason() + ": " + letter.message());
        put(headers, DEAD_LETTER_TOPIC, letter.topic());
        put(headers, DEAD_LETTER_PARTITION, Integer.toString(letter.partition()));
        put(headers, DEAD_LETTER_OFFSET, Long.toString(letter.offset()));
        if (letter.cause() != null) {
            put(headers, DEAD_LETTER_EXCEPTION, letter.cause().getClass().getName());
        }
        put(headers, ATTEMPTS, Integer.toString(letter.attempts()));
        put(headers, WORKER, workerId);
        if (value != letter.value()) {
            put(headers, VALUE_DROPPED, Integer.toString(letter.value().length));
        }
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(letter.key()).withHeaders(headers).build();
        emitter.sendMessage(Message.of(value).addMetadata(metadata)).await().atMost(ACK_TIMEOUT);
    }

    private static void put(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
