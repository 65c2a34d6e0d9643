package dev.sdqueue.ops.dlq;

import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** The record {@link #replay} sends for {@code record}. */
    public static ProducerRecord<byte[], byte[]> replayOf(DlqRecord record, String topic) {
        RecordHeaders headers = new RecordHeaders();
        for (DlqRecord.Header h : record.headers()) {
            if (STRIPPED_PREFIXES.stream().noneMatch(h.name()::startsWith) && !h.name().equals(REPLAYED_FROM)) {
                headers.add(h.name(), h.value());
            }
        }
        headers.add(REPLAYED_FROM, ("dlq:" + record.location()).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
    }

    /** Sends every record (in order) and waits for the broker's acknowledgements; returns where each landed. */
    public List<RecordMetadata> replay(List<DlqRecord> records) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (DlqRecord record : records) {
            sent.add(producer.send(replayOf(record, topic)));
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
