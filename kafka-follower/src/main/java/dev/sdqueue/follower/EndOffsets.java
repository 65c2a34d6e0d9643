package dev.sdqueue.follower;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The end offsets the broker reports now, for the "up to now" barrier. The consumer belongs to the follower's
 * thread, so this asks through an admin client of its own, created on first use, with the consumer's connection
 * settings and isolation level (a read_committed follower waits for the last stable offset, which it can reach).
 */
final class EndOffsets implements AutoCloseable {
    private final Map<String, Object> adminConfig;
    private final IsolationLevel isolation;
    private Admin admin;
    private boolean closed;

    EndOffsets(FollowerSettings<?, ?> settings) {
        this.adminConfig = adminConfig(settings.consumerConfig(), settings.clientId() + "-end-offsets");
        Object level = settings.consumerConfig().get(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
        this.isolation = level != null && "read_committed".equalsIgnoreCase(level.toString())
                ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
    }

    /** Only the settings an admin client knows: the rest would be logged as unknown. */
    static Map<String, Object> adminConfig(Map<String, Object> consumerConfig, String clientId) {
        Map<String, Object> config = new HashMap<>();
        consumerConfig.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    /** The end offsets of {@code partitions}; null once closed (the follower is closed: nothing to wait for). */
    Map<TopicPartition, Long> of(Collection<TopicPartition> partitions, Duration timeout)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        Admin current = admin();
        if (current == null) {
            return null;
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(partition -> request.put(partition, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        current.listOffsets(request, new ListOffsetsOptions(isolation)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    private synchronized Admin admin() {
        if (closed) {
            return null;
        }
        if (admin == null) {
            admin = Admin.create(adminConfig);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
