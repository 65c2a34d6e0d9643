package dev.sdqueue.worker.kafka;

import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads {@code sdq.generation.events} on a thread of its own: every partition, manually assigned, from
 * {@code lookback} ago (by timestamp) and then tailing. Publishes its positions after each poll so that callers can
 * wait for it to pass given offsets. Reconnects after client errors. Plain Kafka client, no Quarkus.
 */
final class EventTopicReader {
    private static final Logger LOG = Logger.getLogger(EventTopicReader.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration REFRESH = Duration.ofSeconds(60);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

    private final Map<String, Object> consumerConfig;
    private final Duration lookback;
    private final Consumer<ConsumerRecord<String, byte[]>> apply;
    private final LongConsumer evictOlderThan;
    private final Thread thread;
    private final Object monitor = new Object();
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    /** Positions after the last poll; guarded by {@link #monitor} for waiting, read without it otherwise. */
    private volatile Map<TopicPartition, Long> positions = Map.of();
    private Map<TopicPartition, Long> catchUpTargets;
    private volatile boolean caughtUp;

    EventTopicReader(Map<String, Object> connection, String clientId, Duration lookback,
                     Consumer<ConsumerRecord<String, byte[]>> apply, LongConsumer evictOlderThan) {
        this.consumerConfig = new HashMap<>(connection);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The dispatcher's status view reads committed data only; so does this, so both agree on what ended.
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        this.lookback = lookback;
        this.apply = apply;
        this.evictOlderThan = evictOlderThan;
        this.thread = new Thread(this::run, "sdq-terminal-index");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    boolean caughtUp() {
        return caughtUp;
    }

    /** The partitions read (known after the first assignment). */
    List<TopicPartition> partitions() {
        return new ArrayList<>(positions.keySet());
    }

    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!caughtUp) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.isAlive()) {
                    return false;
                }
                monitor.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /** Waits until every given partition's position reached its target offset. */
    boolean awaitPositions(Map<TopicPartition, Long> targets, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!reached(positions, targets)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.isAlive()) {
                    return false;
                }
                try {
                    monitor.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean reached(Map<TopicPartition, Long> at, Map<TopicPartition, Long> targets) {
        for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
            Long position = at.get(target.getKey());
            if (position == null || position < target.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void run() {
        long nextRefresh = 0;
        while (running) {
            try {
                if (consumer == null) {
                    consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                            new ByteArrayDeserializer());
                    nextRefresh = 0;
                }
                if (System.nanoTime() >= nextRefresh) {
                    assignNewPartitions();
                    evictOlderThan.accept(System.currentTimeMillis() - lookback.toMillis());
                    nextRefresh = System.nanoTime() + REFRESH.toNanos();
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    apply.accept(record);
                }
                publishPositions();
            } catch (WakeupException e) {
                if (running) {
                    LOG.debug("terminal-state index woken up while running");
                }
            } catch (KafkaException e) {
                LOG.warnf("terminal-state index: %s; reconnecting in %d ms", e, RETRY_BACKOFF.toMillis());
                closeConsumer();
                sleep(RETRY_BACKOFF);
            } catch (RuntimeException e) {
                LOG.errorf(e, "terminal-state index: unexpected failure; reconnecting");
                closeConsumer();
                sleep(RETRY_BACKOFF);
            }
        }
        closeConsumer();
    }

    /** Assigns partitions not read yet, starting at the first record of the lookback window. */
    private void assignNewPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.EVENTS);
        if (infos == null || infos.isEmpty()) {
            throw new KafkaException("topic " + Topics.EVENTS + " has no partitions (does it exist?)");
        }
        List<TopicPartition> all = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        List<TopicPartition> added = all.stream().filter(tp -> !consumer.assignment().contains(tp)).toList();
        if (added.isEmpty()) {
            return;
        }
        consumer.assign(all);
        long from = System.currentTimeMillis() - lookback.toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        added.forEach(tp -> query.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
        List<TopicPartition> toEnd = new ArrayList<>();
        for (TopicPartition tp : added) {
            OffsetAndTimestamp start = starts.get(tp);
            if (start == null) {
                toEnd.add(tp); // nothing within the window
            } else {
                consumer.seek(tp, start.offset());
            }
        }
        if (!toEnd.isEmpty()) {
            consumer.seekToEnd(toEnd); // an empty collection would mean every assigned partition
        }
        if (catchUpTargets == null) {
            catchUpTargets = new HashMap<>(consumer.endOffsets(all));
        }
    }

    private void publishPositions() {
        Map<TopicPartition, Long> now = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            now.put(tp, consumer.position(tp));
        }
        synchronized (monitor) {
            positions = Map.copyOf(now);
            if (!caughtUp && catchUpTargets != null && reached(positions, catchUpTargets)) {
                caughtUp = true;
            }
            monitor.notifyAll();
        }
    }

    private void closeConsumer() {
        KafkaConsumer<String, byte[]> current = consumer;
        consumer = null;
        if (current != null) {
            try {
                current.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.debugf("terminal-state index: closing the consumer: %s", e);
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void close() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
