package dev.sdqueue.ops.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts dead-lettered records back on {@link Topics#REQUESTS}: same key (so the same partition and job) and value,
 * the headers minus the dead-letter and delayed-retry bookkeeping (SmallRye's {@code dead-letter-*},
 * {@code delayed-retry-*}, ours {@code sdq-dlq-*}), plus {@value #REPLAYED_FROM}{@code : dlq:<partition>:<offset>}
 * naming where it came from. The retry count starts over: a replayed job gets the configured attempts again.
 *
 * <p>With the same job id, a job that already ended (a dead-lettered job normally has its final {@code failed}
 * event) stays ended: workers skip jobs with a terminal state and the status view keeps the first one. To run such
 * a job again, replay it under a new job id ({@link #newJobId}).
 */
public final class DlqReplayer implements AutoCloseable {
    /** On a replayed record: {@code dlq:<partition>:<offset>} of the dead-letter record it copies. */
    public static final String REPLAYED_FROM = "sdq-replayed-from";
    private static final List<String> STRIPPED_PREFIXES = List.of("dead-letter-", "delayed-retry-", "sdq-dlq-");

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Duration timeout;

    public DlqReplayer(String bootstrapServers, Duration timeout) {
        this(bootstrapServers, Topics.REQUESTS, timeout);
    }

    public DlqReplayer(String bootstrapServers, String topic, Duration timeout) {
        int timeoutMs = (int) timeout.toMillis();
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "sdq-dlq-replay",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                // delivery.timeout.ms must cover linger.ms + request.timeout.ms
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(500, timeoutMs / 2),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(1000, timeoutMs)),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.timeout = timeout;
    }

    /**
     * The job id a record is replayed under (unless {@code --same-id}): a name-based UUID of where the dead-letter
     * record is and of the job it carried, so replaying the same record twice still makes one job, each
     * dead-lettering makes a new one, and a recreated DLQ topic (offsets from 0 again) cannot reuse an id.
     */
    public static String newJobId(DlqRecord record) {
        String name = "sdq-dlq-replay:" + record.topic() + ":" + record.location() + ":"
                + record.jobId().orElse("");
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * The record {@link #replay} sends for {@code record}: same key and value, or with {@code newJobId} as key and
     * as the value's {@code jobId} (other fields untouched; a value that is not a JSON object keeps its bytes).
     */
    public static ProducerRecord<byte[], byte[]> replayOf(DlqRecord record, String topic, Optional<String> newJobId) {
        RecordHeaders headers = new RecordHeaders();
        for (DlqRecord.Header h : record.headers()) {
            if (STRIPPED_PREFIXES.stream().noneMatch(h.name()::startsWith) && !h.name().equals(REPLAYED_FROM)) {
                headers.add(h.name(), h.value());
            }
        }
        headers.add(REPLAYED_FROM, ("dlq:" + record.location()).getBytes(StandardCharsets.UTF_8));
        if (newJobId.isEmpty()) {
            return new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
        }
        byte[] key = newJobId.get().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, key, withJobId(record.value(), newJobId.get()), headers);
    }

    private static byte[] withJobId(byte[] value, String jobId) {
        if (value == null || value.length > RequestShape.MAX_REQUEST_BYTES) {
            return value;
        }
        try {
            JsonNode tree = EventJson.mapper().readTree(value);
            if (tree instanceof ObjectNode object) {
                object.put("jobId", jobId);
                return EventJson.mapper().writeValueAsBytes(object);
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: forced poison keeps its bytes
        }
        return value;
    }

    /** Sends every record (in order) and waits for the broker's acknowledgements; returns where each landed. */
    public List<RecordMetadata> replay(List<DlqRecord> records, boolean newIds) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (DlqRecord record : records) {
            sent.add(producer.send(replayOf(record, topic, newIds ? Optional.of(newJobId(record)) : Optional.empty())));
        }
        producer.flush();
        List<RecordMetadata> landed = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            try {
                landed.add(sent.get(i).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new DlqException("replaying " + records.get(i).location() + " failed after " + i
                        + " record(s) were replayed: " + cause, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DlqException("interrupted while replaying", e);
            }
        }
        return landed;
    }

    @Override
    public void close() {
        producer.close(timeout);
    }
}
