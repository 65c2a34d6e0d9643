package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import dev.sdqueue.follower.MissingTopicPolicy;
import dev.sdqueue.follower.StartPosition;
import dev.sdqueue.follower.TopicFollower;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Feeds a {@link JobStatusView} from {@link Topics#REQUESTS} and {@link Topics#EVENTS}, read from the beginning
 * by a {@link TopicFollower} of this replica's own: partitions are assigned manually (no group, no committed
 * offsets), so every replica reads everything and a restarted one rebuilds the same view. New partitions are picked
 * up every {@code partitionRefresh}; topics not created yet are waited for. No Quarkus, so tests can build a second
 * one to check that a restart rebuilds the same state.
 */
public final class StatusFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StatusFeed.class);
    private static final List<String> TOPICS = List.of(Topics.REQUESTS, Topics.EVENTS);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final String CE_SUBJECT = "ce_subject";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final JobStatusView view;
    private final TopicFollower<String, byte[]> follower;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private long startedNanos;

    /**
     * @param kafkaConfig connection settings (bootstrap.servers, security...); group, offset and deserializer
     *                    settings in it are replaced
     */
    public StatusFeed(Map<String, ?> kafkaConfig, String clientId, JobStatusView view, Duration partitionRefresh,
                      Duration kafkaTimeout) {
        this.view = view;
        this.follower = TopicFollower.builder(new StringDeserializer(), new ByteArrayDeserializer())
                .connection(kafkaConfig)
                .clientId(clientId)
                .topics(TOPICS)
                .startAt(StartPosition.beginning())
                .whenTopicMissing(MissingTopicPolicy.WAIT)
                // Aborted transactional writes of other producers must never show up as jobs.
                .readCommitted()
                .pollTimeout(POLL)
                .partitionRefresh(partitionRefresh)
                .kafkaTimeout(kafkaTimeout)
                .closeTimeout(CLOSE_TIMEOUT)
                .onRecord(this::apply)
                .build();
        follower.whenCaughtUp().thenRun(() -> LOG.infof("status view caught up: %d jobs from %d records in %d ms",
                view.size(), applied.get(), (System.nanoTime() - startedNanos) / 1_000_000));
    }

    public StatusFeed start() {
        startedNanos = System.nanoTime();
        follower.start();
        return this;
    }

    /** True once every record that existed when the partitions were first assigned has been applied. */
    public boolean caughtUp() {
        return follower.caughtUp();
    }

    /** False once the follower's thread ended (closed, or failed: then logged at error). */
    public boolean alive() {
        return follower.alive();
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
        follower.close();
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
}
