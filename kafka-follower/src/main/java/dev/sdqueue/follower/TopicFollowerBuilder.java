package dev.sdqueue.follower;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Builds a {@link TopicFollower}. Required: bootstrap servers (directly or in {@link #connection}), at least one
 * topic, a client id and a handler. Defaults: start at the beginning, wait for missing topics, poll 200 ms,
 * look for new partitions every 30 s, Kafka calls bounded by 10 s, retry transient errors after 1 s, close waits 10 s.
 */
public final class TopicFollowerBuilder<K, V> {
    /** Never taken from a connection map: the follower has no group and brings its own deserializers. */
    private static final List<String> DROPPED = List.of(ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.CLIENT_ID_CONFIG, "key.serializer",
            "value.serializer");

    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final Map<String, Object> connection = new HashMap<>();
    private final Map<String, Object> properties = new HashMap<>();
    private final List<String> topics = new ArrayList<>();
    private Predicate<TopicPartition> partitionFilter = partition -> true;
    private String clientId;
    private StartPosition start = StartPosition.beginning();
    private MissingTopicPolicy missingTopics = MissingTopicPolicy.WAIT;
    private TopicFollower.BatchHandler<K, V> handler;
    private TopicFollower.StateListener listener = (state, cause) -> { };
    private Duration pollTimeout = Duration.ofMillis(200);
    private Duration partitionRefresh = Duration.ofSeconds(30);
    private Duration kafkaTimeout = Duration.ofSeconds(10);
    private Duration retryBackoff = Duration.ofSeconds(1);
    private Duration closeTimeout = Duration.ofSeconds(10);

    TopicFollowerBuilder(Deserializer<K> keys, Deserializer<V> values) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.values = Objects.requireNonNull(values, "values");
    }

    public TopicFollowerBuilder<K, V> bootstrapServers(String servers) {
        connection.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(servers, "servers"));
        return this;
    }

    /**
     * Connection settings shared with other clients (bootstrap.servers, security, ...). Group, client id,
     * deserializer and serializer settings in it are ignored.
     */
    public TopicFollowerBuilder<K, V> connection(Map<String, ?> settings) {
        settings.forEach((key, value) -> {
            if (!DROPPED.contains(key) && value != null) {
                connection.put(key, value);
            }
        });
        return this;
    }

    /** A consumer property of this follower's own; overrides the connection settings. */
    public TopicFollowerBuilder<K, V> property(String key, Object value) {
        if (ConsumerConfig.GROUP_ID_CONFIG.equals(key) || ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG.equals(key)) {
            throw new IllegalArgumentException(key + " cannot be set: a follower has no group and commits nothing");
        }
        properties.put(key, Objects.requireNonNull(value, key));
        return this;
    }

    /** Reads only committed records of transactional producers (isolation.level=read_committed). */
    public TopicFollowerBuilder<K, V> readCommitted() {
        return property(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }

    /** Names the consumer (client.id) and the follower's thread and log lines. */
    public TopicFollowerBuilder<K, V> clientId(String id) {
        this.clientId = Objects.requireNonNull(id, "id");
        return this;
    }

    public TopicFollowerBuilder<K, V> topics(String... names) {
        return topics(List.of(names));
    }

    public TopicFollowerBuilder<K, V> topics(Collection<String> names) {
        topics.addAll(names);
        return this;
    }

    /** Reads only these partitions (all by default). */
    public TopicFollowerBuilder<K, V> partitions(Collection<TopicPartition> only) {
        this.partitionFilter = Set.copyOf(only)::contains;
        return this;
    }

    public TopicFollowerBuilder<K, V> startAt(StartPosition position) {
        this.start = Objects.requireNonNull(position, "position");
        return this;
    }

    public TopicFollowerBuilder<K, V> whenTopicMissing(MissingTopicPolicy policy) {
        this.missingTopics = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Called on the follower's thread with every poll's records, also an empty batch (so a handler can do periodic
     * work on the same thread). An exception stops the follower: it becomes {@link FollowerState#FAILED}.
     */
    public TopicFollowerBuilder<K, V> onBatch(TopicFollower.BatchHandler<K, V> batchHandler) {
        this.handler = Objects.requireNonNull(batchHandler, "batchHandler");
        return this;
    }

    /** Called on the follower's thread for each record, in offset order per partition; an exception stops it. */
    public TopicFollowerBuilder<K, V> onRecord(TopicFollower.RecordHandler<K, V> recordHandler) {
        Objects.requireNonNull(recordHandler, "recordHandler");
        return onBatch(batch -> batch.forEach(record -> {
            try {
                recordHandler.handle(record);
            } catch (Exception e) {
                throw new RecordHandlerException(record.topic() + "-" + record.partition() + "@" + record.offset(),
                        e);
            }
        }));
    }

    /** Told about every state change; on the follower's thread, or the closing one for CLOSED. */
    public TopicFollowerBuilder<K, V> onStateChange(TopicFollower.StateListener stateListener) {
        this.listener = Objects.requireNonNull(stateListener, "stateListener");
        return this;
    }

    /** How long one poll waits for records: also how late a handler sees an empty batch. */
    public TopicFollowerBuilder<K, V> pollTimeout(Duration timeout) {
        this.pollTimeout = positive(timeout, "pollTimeout");
        return this;
    }

    /** How often the follower looks for new partitions (and for missing topics, at most every retry backoff). */
    public TopicFollowerBuilder<K, V> partitionRefresh(Duration interval) {
        this.partitionRefresh = positive(interval, "partitionRefresh");
        return this;
    }

    /**
     * Bound of each metadata and offsets call (partitions, offset look-ups, positions). Every such call passes it,
     * so the consumer's {@code default.api.timeout.ms} is never used.
     */
    public TopicFollowerBuilder<K, V> kafkaTimeout(Duration timeout) {
        this.kafkaTimeout = positive(timeout, "kafkaTimeout");
        return this;
    }

    /** Pause after a transient Kafka error before trying again. */
    public TopicFollowerBuilder<K, V> retryBackoff(Duration backoff) {
        this.retryBackoff = positive(backoff, "retryBackoff");
        return this;
    }

    /** How long {@link TopicFollower#close()} waits for the thread (twice at most: wakeup, then interrupt). */
    public TopicFollowerBuilder<K, V> closeTimeout(Duration timeout) {
        this.closeTimeout = positive(timeout, "closeTimeout");
        return this;
    }

    public TopicFollower<K, V> build() {
        Map<String, Object> config = new HashMap<>(connection);
        config.putAll(properties);
        if (config.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new IllegalStateException("a follower needs bootstrap servers");
        }
        if (topics.isEmpty()) {
            throw new IllegalStateException("a follower needs at least one topic");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalStateException("a follower needs a client id");
        }
        if (handler == null) {
            throw new IllegalStateException("a follower needs a handler (onRecord or onBatch)");
        }
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Only reached when a position is out of range (records deleted under it): take what is left.
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The consumer answers partitionsFor from its metadata cache: refresh that as often as partitions are looked for.
        config.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) Math.min(Integer.MAX_VALUE,
                partitionRefresh.toMillis()));
        // Reading must never create a topic; a missing one is handled by the MissingTopicPolicy.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return new TopicFollower<>(new FollowerSettings<>(clientId, config, topics.stream().distinct().toList(),
                partitionFilter, start, missingTopics, keys, values, handler, listener, pollTimeout,
                partitionRefresh, kafkaTimeout, retryBackoff, closeTimeout));
    }

    /**
     * {@link #build()}, then {@link TopicFollower#open}: for tools, where an interrupt while opening is a failure like
     * any other, thrown as {@link FollowerFailedException} with the thread's interrupt flag kept.
     */
    public TopicFollower<K, V> open(Duration timeout) {
        TopicFollower<K, V> follower = build();
        try {
            return follower.open(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FollowerFailedException(follower.settings().name() + " was interrupted while opening", e);
        }
    }

    private static Duration positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    /** A record handler's exception, with the record's coordinates in the message. */
    static final class RecordHandlerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RecordHandlerException(String record, Exception cause) {
            super("the record handler failed on " + record + ": " + cause, cause);
        }
    }
}
