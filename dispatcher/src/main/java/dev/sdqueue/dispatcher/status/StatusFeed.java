package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Feeds a {@link JobStatusView} from {@link Topics#REQUESTS} and {@link Topics#EVENTS}, read from the beginning
 * by a consumer of this replica's own: partitions are assigned manually (no group, no committed offsets), so
 * every replica reads everything and a restarted one rebuilds the same view. New partitions are picked up by a
 * periodic metadata refresh. Plain Kafka client on one thread of its own; no Quarkus, so tests can build a second
 * one to check that a restart rebuilds the same state.
 */
public final class StatusFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StatusFeed.class);
    private static final List<String> TOPICS = List.of(Topics.REQUESTS, Topics.EVENTS);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final String CE_SUBJECT = "ce_subject";
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

    private final Map<String, Object> consumerConfig;
    private final JobStatusView view;
    private final Duration partitionRefresh;
    private final Duration kafkaTimeout;
    private final Thread thread;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile KafkaConsumer<String, byte[]> consumer;
    /** End offsets at the first complete assignment: the view is caught up once positions reach them. */
    private Map<TopicPartition, Long> catchUpTargets;
    private final Set<String> missingTopicsLogged = new HashSet<>();
    private long startedNanos;

    /**
     * @param kafkaConfig connection settings (bootstrap.servers, security...); group, offset and deserializer
     *                    settings in it are replaced
     */
    public StatusFeed(Map<String, ?> kafkaConfig, String clientId, JobStatusView view, Duration partitionRefresh,
                      Duration kafkaTimeout) {
        this.consumerConfig = consumerConfig(kafkaConfig, clientId);
        this.view = view;
        this.partitionRefresh = partitionRefresh;
        this.kafkaTimeout = kafkaTimeout;
        this.thread = new Thread(this::run, "sdq-status-feed");
        this.thread.setDaemon(true);
    }

    static Map<String, Object> consumerConfig(Map<String, ?> base, String clientId) {
        Map<String, Object> config = new HashMap<>(base);
        for (String key : List.of(ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                "key.serializer", "value.serializer")) {
            config.remove(key);
        }
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Aborted transactional writes of other producers must never show up as jobs.
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return config;
    }

    public StatusFeed start() {
        startedNanos = System.nanoTime();
        thread.start();
        return this;
    }

    /** True once every record that existed when the partitions were first assigned has been applied. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public boolean alive() {
        return thread.isAlive();
    }

    public long appliedRecords() {
        return applied.get();
    }

    /** Records that were not a readable request or a known event (logged at debug, then ignored). */
    public long skippedRecords() {
        return skipped.get();
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
            if (thread.isAlive()) { // stuck outside the consumer (e.g. in a sleep): interrupting is the last resort
                thread.interrupt();
                thread.join(Duration.ofSeconds(5).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            long nextRefresh = System.nanoTime();
            while (running) {
                try {
                    if (System.nanoTime() - nextRefresh >= 0) {
                        boolean complete = refreshAssignment(c);
                        nextRefresh = System.nanoTime() + (complete ? partitionRefresh : RETRY_BACKOFF).toNanos();
                    }
                    if (c.assignment().isEmpty()) {
                        Thread.sleep(RETRY_BACKOFF.toMillis());
                        continue;
                    }
                    for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
                        apply(r);
                    }
                    checkCaughtUp(c);
                } catch (WakeupException | InterruptException e) {
                    // close() was called; the loop condition ends the thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (KafkaException e) {
                    LOG.warnf("status feed: %s; retrying in %s", e.toString(), RETRY_BACKOFF);
                    sleepQuietly();
                }
            }
        } catch (RuntimeException e) {
            LOG.error("status feed stopped: the status view no longer updates", e);
        }
    }

    /** Assigns every partition of both topics (new ones from the beginning); true if both topics were found. */
    private boolean refreshAssignment(KafkaConsumer<String, byte[]> c) {
        Set<TopicPartition> wanted = new HashSet<>(c.assignment());
        boolean complete = true;
        for (String topic : TOPICS) {
            List<PartitionInfo> partitions = c.partitionsFor(topic, kafkaTimeout);
            if (partitions == null || partitions.isEmpty()) {
                complete = false;
                if (missingTopicsLogged.add(topic)) {
                    LOG.warnf("status feed: topic %s not found (yet); the status view waits for it", topic);
                }
                continue;
            }
            partitions.forEach(p -> wanted.add(new TopicPartition(p.topic(), p.partition())));
        }
        Set<TopicPartition> added = new HashSet<>(wanted);
        added.removeAll(c.assignment());
        if (!added.isEmpty()) {
            c.assign(wanted); // keeps the positions of partitions already assigned
            c.seekToBeginning(added);
            LOG.debugf("status feed: reading %s from the beginning", added);
        }
        if (complete && catchUpTargets == null) {
            catchUpTargets = c.endOffsets(wanted, kafkaTimeout);
        }
        return complete;
    }

    private void checkCaughtUp(KafkaConsumer<String, byte[]> c) {
        if (caughtUp || catchUpTargets == null) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> target : catchUpTargets.entrySet()) {
            if (c.position(target.getKey(), kafkaTimeout) < target.getValue()) {
                return;
            }
        }
        caughtUp = true;
        LOG.infof("status view caught up: %d jobs from %d records in %d ms", view.size(), applied.get(),
                (System.nanoTime() - startedNanos) / 1_000_000);
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return; // tombstone: nothing to learn
        }
        try {
            if (Topics.REQUESTS.equals(r.topic())) {
                if (alreadyKnown(r)) {
                    applied.incrementAndGet();
                    return;
                }
                GenerationRequested request = EventJson.fromBytes(r.value(), GenerationRequested.class);
                if (request.jobId() == null && r.key() != null) {
                    request = request.withJobId(r.key(), request.requestedAt());
                }
                if (request.jobId() != null) {
                    view.onRequest(request);
                    applied.incrementAndGet();
                    return;
                }
            } else {
                GenerationEvent event = EventJson.fromBytes(r.value(), GenerationEvent.class);
                if (event.jobId() != null) {
                    view.onEvent(event);
                    applied.incrementAndGet();
                    return;
                }
            }
            skip(r, "no job id");
        } catch (IOException | RuntimeException e) {
            skip(r, e.getMessage());
        }
    }

    /**
     * A request record whose job the view already has with its request: this replica's own records (read-your-write
     * recorded them at acknowledgement) and repeats. {@code withRequest} would ignore it, so its JSON is not parsed.
     * Only when the key is the CloudEvents subject (the job id the dispatcher writes there), so a producer whose key
     * is not the job id is still read in full.
     */
    private boolean alreadyKnown(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return false;
        }
        Header subject = r.headers().lastHeader(CE_SUBJECT);
        return subject != null && subject.value() != null
                && r.key().equals(new String(subject.value(), StandardCharsets.UTF_8))
                && view.hasRequest(r.key());
    }

    private void skip(ConsumerRecord<String, byte[]> r, String why) {
        skipped.incrementAndGet();
        LOG.debugf("status feed: skipping %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), why);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(RETRY_BACKOFF.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
