package dev.sdqueue.follower;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's thread: one consumer, no group, partitions assigned by hand. Looks for partitions every
 * {@code partitionRefresh} (every retry backoff while a topic is missing), polls, hands each batch to the handler,
 * then publishes the positions: a position is published only once the records before it were handled, which is
 * what makes the barriers of {@link TopicFollower} exact. Transient Kafka errors are logged and retried; anything
 * else (a handler's exception, a missing topic under FAIL, authorization, ...) ends the thread as FAILED.
 */
final class FollowLoop<K, V> implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final CloseOptions CLOSE = CloseOptions.timeout(Duration.ofSeconds(5));

    private final FollowerSettings<K, V> settings;
    private final Progress progress;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final AtomicLong records = new AtomicLong();
    /** Topics assigned at least once: later partitions of these are read from the beginning. */
    private final Set<String> followedTopics = new HashSet<>();
    private final Set<String> missingLogged = new HashSet<>();
    private volatile boolean running = true;
    private volatile KafkaConsumer<K, V> consumer;
    /** Every assigned partition and its position after the last handled poll. */
    private Map<TopicPartition, Long> positions = Map.of();
    private boolean positioned;
    private long startedNanos;

    FollowLoop(FollowerSettings<K, V> settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    long recordsRead() {
        return records.get();
    }

    /** Asks the thread to end: wakes a blocking consumer call or a backoff pause. */
    void stop() {
        running = false;
        stopSignal.countDown();
        KafkaConsumer<K, V> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    @Override
    public void run() {
        startedNanos = System.nanoTime();
        progress.enter(FollowerState.ASSIGNING);
        KafkaConsumer<K, V> c = null;
        try {
            c = new KafkaConsumer<>(settings.consumerConfig(), settings.keys(), settings.values());
            consumer = c;
            if (running) { // stop() before the consumer existed could not wake it
                follow(c);
            }
        } catch (Throwable e) {
            if (running) {
                LOG.error("{} stopped: nothing more is read", settings.name(), e);
                progress.fail(e);
            }
        } finally {
            consumer = null;
            if (c != null) {
                closeQuietly(c);
            }
        }
    }

    private void follow(KafkaConsumer<K, V> c) {
        long nextRefresh = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - nextRefresh >= 0) {
                    boolean complete = refreshAssignment(c);
                    Duration wait = complete ? settings.partitionRefresh() : settings.retryBackoff();
                    nextRefresh = System.nanoTime() + wait.toNanos();
                }
                if (positions.isEmpty()) { // nothing assigned yet
                    pause(settings.retryBackoff());
                    continue;
                }
                ConsumerRecords<K, V> batch = c.poll(settings.pollTimeout());
                handle(batch);
                publishPositions(c);
            } catch (WakeupException e) {
                if (running) {
                    LOG.debug("{} woken up while running", settings.name());
                }
            } catch (InterruptException e) {
                if (running) {
                    throw new IllegalStateException("the follower thread was interrupted", e);
                }
            } catch (KafkaException e) {
                if (!retriable(e)) {
                    throw e;
                }
                LOG.warn("{}: {}; retrying in {} ms", settings.name(), e.toString(),
                        settings.retryBackoff().toMillis());
                pause(settings.retryBackoff());
            }
        }
    }

    private void handle(ConsumerRecords<K, V> batch) {
        try {
            settings.handler().handle(batch);
        } catch (Exception e) {
            throw new HandlerFailedException("the handler failed on a batch of " + batch.count() + " records from "
                    + batch.partitions() + ": " + e, e);
        }
        records.addAndGet(batch.count());
    }

    /**
     * Assigns partitions not read yet: those of a topic seen for the first time at the start position, later ones
     * of a followed topic at their beginning. The first time every topic is found, also captures the end offsets
     * to be caught up with. Positions are resolved before returning (a seek to the end is then fixed: a record
     * written afterwards is read). All or nothing: if a call fails the assignment is put back and retried.
     */
    private boolean refreshAssignment(KafkaConsumer<K, V> c) {
        Set<TopicPartition> current = new HashSet<>(c.assignment());
        List<TopicPartition> atStart = new ArrayList<>();
        List<TopicPartition> atBeginning = new ArrayList<>();
        Set<String> found = new HashSet<>();
        for (String topic : settings.topics()) {
            List<PartitionInfo> infos = c.partitionsFor(topic, settings.kafkaTimeout());
            if (infos == null || infos.isEmpty()) {
                missing(topic);
                continue;
            }
            found.add(topic);
            for (PartitionInfo info : infos) {
                TopicPartition partition = new TopicPartition(topic, info.partition());
                if (!current.contains(partition) && settings.partitionFilter().test(partition)) {
                    (followedTopics.contains(topic) ? atBeginning : atStart).add(partition);
                }
            }
        }
        boolean complete = found.size() == settings.topics().size();
        boolean firstComplete = complete && !positioned;
        if (atStart.isEmpty() && atBeginning.isEmpty() && !firstComplete) {
            return complete;
        }
        Set<TopicPartition> wanted = new HashSet<>(current);
        wanted.addAll(atStart);
        wanted.addAll(atBeginning);
        Map<TopicPartition, Long> targets = firstComplete ? c.endOffsets(wanted, settings.kafkaTimeout()) : null;
        Map<TopicPartition, Long> starts = StartOffsets.resolve(c, settings.start(), atStart, settings.kafkaTimeout());
        if (!atBeginning.isEmpty()) {
            starts.putAll(c.beginningOffsets(atBeginning, settings.kafkaTimeout()));
        }
        Map<TopicPartition, Long> now = new HashMap<>(positions);
        c.assign(wanted); // keeps the positions of partitions already assigned
        try {
            starts.forEach(c::seek);
            for (TopicPartition partition : wanted) {
                now.put(partition, c.position(partition, settings.kafkaTimeout()));
            }
        } catch (RuntimeException e) {
            c.assign(current);
            throw e;
        }
        followedTopics.addAll(found);
        positions = now;
        if (!starts.isEmpty()) {
            LOG.debug("{}: reading {} from {}", settings.name(), starts.keySet(), starts);
        }
        if (firstComplete) {
            positioned = true;
            progress.positioned(targets, now);
            progress.enter(FollowerState.FOLLOWING);
            logIfCaughtUp(false);
        } else {
            publish(now);
        }
        return complete;
    }

    private void missing(String topic) {
        if (settings.missingTopics() == MissingTopicPolicy.FAIL) {
            throw new IllegalStateException("topic " + topic + " does not exist on " + settings.bootstrapServers());
        }
        if (missingLogged.add(topic)) {
            LOG.warn("{}: topic {} not found (yet) on {}; waiting for it", settings.name(), topic,
                    settings.bootstrapServers());
        }
    }

    /**
     * Positions after a handled poll; a position the client cannot tell right now keeps its last value. The keys of
     * {@link #positions} are the assignment (both change only in refreshAssignment), so no per-poll copy of it.
     */
    private void publishPositions(KafkaConsumer<K, V> c) {
        Map<TopicPartition, Long> now = new HashMap<>(positions);
        for (TopicPartition partition : positions.keySet()) {
            try {
                now.put(partition, c.position(partition, Duration.ZERO));
            } catch (TimeoutException unknownForNow) {
                // being reset or validated (e.g. the broker restarts): the next poll settles it
            }
        }
        positions = now;
        publish(now);
    }

    private void publish(Map<TopicPartition, Long> now) {
        boolean before = progress.caughtUp();
        progress.publish(now);
        logIfCaughtUp(before);
    }

    private void logIfCaughtUp(boolean before) {
        if (!before && progress.caughtUp()) {
            LOG.info("{} caught up: {} records in {} ms", settings.name(), records.get(),
                    (System.nanoTime() - startedNanos) / 1_000_000);
        }
    }

    /** Waits, unless stop() is called meanwhile. */
    private void pause(Duration duration) {
        try {
            stopSignal.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (running) {
                throw new IllegalStateException("the follower thread was interrupted", e);
            }
        }
    }

    /**
     * Errors worth retrying: lost connections, timeouts, leaders moving. Not: bad credentials or permissions, an
     * unreadable record, an invalid topic, a broker too old, an offset out of range with no reset policy.
     */
    static boolean retriable(KafkaException e) {
        return !(e instanceof AuthenticationException || e instanceof AuthorizationException
                || e instanceof SerializationException || e instanceof InvalidTopicException
                || e instanceof UnsupportedVersionException || e instanceof InvalidOffsetException
                || e instanceof ConfigException);
    }

    private void closeQuietly(KafkaConsumer<K, V> c) {
        try {
            c.close(CLOSE);
        } catch (RuntimeException e) {
            LOG.debug("{}: closing the consumer: {}", settings.name(), e.toString());
        }
    }

    /** A handler's exception, kept apart from the client's own so that it is never retried. */
    static final class HandlerFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
