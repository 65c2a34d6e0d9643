package dev.sdqueue.worker.kafka;

import dev.sdqueue.follower.FollowerFailedException;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.job.TerminalStates;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which jobs have a terminal event on {@code sdq.generation.events}, for this worker's idempotency checks. A
 * {@link EventTopicReader} thread of this worker's own reads every partition (manually assigned, no consumer group)
 * from {@code sdq.worker.idempotency.lookback} ago and keeps tailing; only the {@code ce_type} header is looked at for
 * this project's events (the JSON is parsed only for events without one).
 *
 * <p>A lookup is exact with respect to the broker, not just to what was read so far: before answering "not
 * terminal", it fetches the topic's end offsets (one ListOffsets request by the reader's follower) and waits until it has passed
 * them. So every terminal event any worker had acknowledged before the lookup is seen, which is what makes the check
 * before publishing a terminal event safe across workers. The worker does not start consuming requests before the
 * index has loaded (startup observer at priority 600; SmallRye connects at 1000).
 */
@Singleton
public final class TerminalStateIndex implements TerminalStates {
    private static final Logger LOG = Logger.getLogger(TerminalStateIndex.class);
    private static final String COMPLETED = Headers.eventType(GenerationEvent.COMPLETED);
    private static final String FAILED = Headers.eventType(GenerationEvent.FAILED);

    private final Map<String, Object> kafkaConfig;
    private final WorkerConfig.Worker.Idempotency config;
    private final String clientId;
    private final Map<String, Terminal> terminals = new ConcurrentHashMap<>();
    private volatile EventTopicReader reader;

    private record Terminal(String type, long atMillis) {
    }

    public TerminalStateIndex(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                              @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                              WorkerConfig.Worker worker, WorkerIdentity identity) {
        // Quarkus fills the default-kafka-broker map by iterating property names, so with both
        // -Dkafka.bootstrap.servers and KAFKA_BOOTSTRAP_SERVERS set it holds whichever came last in hash order;
        // the config's ordinal decides here (-D over environment), as for the channels.
        Map<String, Object> resolved = new HashMap<>(kafkaConfig);
        resolved.put("bootstrap.servers", bootstrapServers);
        this.kafkaConfig = resolved;
        this.config = worker.idempotency();
        this.clientId = "sdq-terminal-index-" + identity.id();
    }

    void loadBeforeConsuming(@Observes @Priority(600) StartupEvent startup) throws InterruptedException {
        // The follower drops the group, client id and (de)serializer keys of the shared connection settings.
        reader = new EventTopicReader(kafkaConfig, clientId, config.lookback(), this::apply, this::evictOlderThan);
        reader.start();
        long start = System.nanoTime();
        if (!reader.awaitCaughtUp(config.startupTimeout())) {
            throw new IllegalStateException("the terminal-state index did not load " + Topics.EVENTS + " within "
                    + config.startupTimeout().toSeconds() + " s (sdq.worker.idempotency.startup-timeout)");
        }
        LOG.infof("terminal-state index loaded in %d ms: %d finished jobs in the last %s", (System.nanoTime() - start)
                / 1_000_000, terminals.size(), config.lookback());
    }

    @Override
    public Optional<String> terminalOf(String jobId) throws UnavailableException {
        Terminal known = terminals.get(jobId);
        if (known != null) {
            return Optional.of(known.type());
        }
        syncWithBroker();
        return Optional.ofNullable(terminals.get(jobId)).map(Terminal::type);
    }

    @Override
    public void published(String jobId, String type) {
        terminals.putIfAbsent(jobId, new Terminal(type, System.currentTimeMillis()));
    }

    /** True once the startup load is done (readiness). */
    public boolean caughtUp() {
        EventTopicReader current = reader;
        return current != null && current.caughtUp();
    }

    /** True while the reader thread runs (liveness). */
    public boolean alive() {
        EventTopicReader current = reader;
        return current == null || current.isAlive();
    }

    public int size() {
        return terminals.size();
    }

    /** Waits until the reader has passed the end offsets the broker reports now. */
    private void syncWithBroker() throws UnavailableException {
        EventTopicReader current = reader;
        if (current == null) {
            throw new UnavailableException("the terminal-state index is not started", null);
        }
        Duration timeout = config.syncTimeout();
        try {
            if (!current.awaitUpToNow(timeout)) {
                throw new UnavailableException("the terminal-state index did not catch up with " + Topics.EVENTS
                        + " within " + timeout.toSeconds() + " s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while syncing with " + Topics.EVENTS, e);
        } catch (FollowerFailedException e) {
            throw new UnavailableException("cannot sync with " + Topics.EVENTS + ": " + e.getMessage(), e);
        }
    }

    /** One record of the event topic: remember the job if it is a terminal event. */
    private void apply(ConsumerRecord<String, byte[]> record) {
        String type = RequestDecoder.header(record.headers(), Headers.CE_TYPE);
        String jobId = record.key();
        String terminalType = null;
        if (COMPLETED.equals(type)) {
            terminalType = GenerationEvent.COMPLETED;
        } else if (FAILED.equals(type)) {
            terminalType = GenerationEvent.FAILED;
        } else if (type == null || !type.startsWith("dev.sdqueue.generation.")) {
            // Another producer, without CloudEvents headers: read the value.
            try {
                GenerationEvent event = record.value() == null ? null
                        : EventJson.fromBytes(record.value(), GenerationEvent.class);
                if (event != null && event.terminal()) {
                    terminalType = event.type();
                    jobId = event.jobId();
                }
            } catch (Exception e) {
                LOG.debugf("terminal-state index: unreadable event at %s-%d@%d", record.topic(), record.partition(),
                        record.offset());
            }
        }
        if (terminalType != null && jobId != null) {
            terminals.putIfAbsent(jobId, new Terminal(terminalType, record.timestamp()));
        }
    }

    /** Forgets jobs that ended before the lookback window (called by the reader thread). */
    void evictOlderThan(long cutoffMillis) {
        terminals.values().removeIf(t -> t.atMillis() < cutoffMillis);
    }

    @PreDestroy
    void close() {
        EventTopicReader current = reader;
        if (current != null) {
            current.close();
        }
    }
}
