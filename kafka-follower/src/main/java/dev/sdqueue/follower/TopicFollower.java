package dev.sdqueue.follower;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads whole topics on one thread of its own, the way any client of a topic contract would: a plain consumer with
 * no group and nothing committed, every partition (or a chosen subset) assigned by hand, new partitions picked up
 * while running. Offers what the readers of this project need on top of a poll loop:
 * <ul>
 *   <li>{@link #open}: returns once positioned, so with {@link StartPosition#end()} nothing written afterwards is
 *       missed;</li>
 *   <li>{@link #awaitCaughtUp}/{@link #whenCaughtUp}: every record that was on the topics when they were first
 *       assigned has been handled (replay done);</li>
 *   <li>{@link #awaitPositions}/{@link #awaitUpToNow}: barriers, every record below given offsets / below the
 *       broker's end offsets at the call has been handled;</li>
 *   <li>{@link #close}: wakeup, then a bounded join (interrupt as last resort);</li>
 *   <li>a handler exception or a fatal client error stops it as {@link FollowerState#FAILED}: logged, told to the
 *       {@link StateListener}, and thrown by every await and by {@link #checkHealthy}.</li>
 * </ul>
 * Build one with {@link #builder}.
 */
public final class TopicFollower<K, V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

    /** Handles the records of one poll (possibly none) on the follower's thread. */
    @FunctionalInterface
    public interface BatchHandler<K, V> {
        void handle(ConsumerRecords<K, V> records) throws Exception;
    }

    /** Handles one record on the follower's thread. */
    @FunctionalInterface
    public interface RecordHandler<K, V> {
        void handle(ConsumerRecord<K, V> record) throws Exception;
    }

    /** Told about state changes; {@code cause} is set for {@link FollowerState#FAILED} only. */
    @FunctionalInterface
    public interface StateListener {
        void changed(FollowerState state, Throwable cause);
    }

    private final FollowerSettings<K, V> settings;
    private final Progress progress;
    private final FollowLoop<K, V> loop;
    private final EndOffsets endOffsets;
    private final Thread thread;
    private boolean started;

    TopicFollower(FollowerSettings<K, V> settings) {
        this.settings = settings;
        this.progress = new Progress(settings.name(), safe(settings.listener(), settings.name()));
        this.loop = new FollowLoop<>(settings, progress);
        this.endOffsets = new EndOffsets(settings);
        this.thread = new Thread(loop, "sdq-follower-" + settings.clientId());
        this.thread.setDaemon(true);
    }

    FollowerSettings<K, V> settings() {
        return settings;
    }

    public static <K, V> TopicFollowerBuilder<K, V> builder(Deserializer<K> keys, Deserializer<V> values) {
        return new TopicFollowerBuilder<>(keys, values);
    }

    /** Starts the thread and returns at once (a server must start even while the broker is away). */
    public synchronized TopicFollower<K, V> start() {
        if (started) {
            throw new IllegalStateException(settings.name() + " was already started");
        }
        started = true;
        thread.start();
        return this;
    }

    /**
     * Starts and waits until every topic is assigned and positioned. Throws (after closing) if it failed, e.g. a
     * topic is missing under {@link MissingTopicPolicy#FAIL}, or was not positioned within the timeout.
     */
    public TopicFollower<K, V> open(Duration timeout) throws InterruptedException {
        start();
        try {
            if (!progress.awaitFollowing(timeout)) {
                throw new FollowerFailedException(settings.name() + " was not positioned on "
                        + settings.bootstrapServers() + " within " + timeout.toMillis() + " ms", null);
            }
            return this;
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** Waits until every topic is assigned and positioned; false on timeout or once closed. */
    public boolean awaitFollowing(Duration timeout) throws InterruptedException {
        return progress.awaitFollowing(timeout);
    }

    /**
     * Waits until the positions reached the end offsets captured when every topic was first assigned, i.e. the
     * replay is done. False on timeout or once closed; throws {@link FollowerFailedException} once failed.
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return progress.awaitCaughtUp(timeout);
    }

    /**
     * Completes once caught up; exceptionally if it fails or is closed first. Actions added before run on the
     * follower's thread while it holds its state lock: keep them short and never wait on this follower in them. A
     * copy: completing it does not affect the follower.
     */
    public CompletableFuture<Void> whenCaughtUp() {
        return progress.caughtUpFuture().copy();
    }

    /**
     * Waits until every given partition's position reached its offset: every record below it has been handled.
     * False on timeout or once closed; throws {@link FollowerFailedException} once failed.
     */
    public boolean awaitPositions(Map<TopicPartition, Long> offsets, Duration timeout) throws InterruptedException {
        return progress.awaitPositions(offsets, timeout);
    }

    /**
     * Waits until every record on the assigned partitions before this call has been handled: asks the broker for
     * their end offsets now (an admin request), then {@link #awaitPositions}. Waits for the first assignment first.
     * Partitions created but not seen yet (see {@code partitionRefresh}) are not waited for. False on timeout or
     * once closed; throws {@link FollowerFailedException} once failed or if the end offsets cannot be read.
     */
    public boolean awaitUpToNow(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!progress.awaitFollowing(timeout)) {
            return false;
        }
        Map<TopicPartition, Long> ends;
        try {
            ends = endOffsets.of(partitions(), left(deadline));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            if (progress.state() == FollowerState.CLOSED) {
                return false; // the admin client was closed under the request
            }
            throw new FollowerFailedException(settings.name() + ": cannot read the end offsets on "
                    + settings.bootstrapServers() + ": " + e, e);
        }
        return ends != null && progress.awaitPositions(ends, left(deadline));
    }

    /** Positions after the last handled poll (a copy). */
    public Map<TopicPartition, Long> positions() {
        return progress.positions();
    }

    /** The partitions read so far. */
    public Set<TopicPartition> partitions() {
        return progress.positions().keySet();
    }

    public FollowerState state() {
        return progress.state();
    }

    public boolean caughtUp() {
        return progress.caughtUp();
    }

    /** True while the thread runs (liveness). */
    public boolean alive() {
        return thread.isAlive();
    }

    /** Why it failed, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(progress.failure());
    }

    /** Throws {@link FollowerFailedException} if it failed (it would otherwise silently stop reading). */
    public void checkHealthy() {
        Throwable failure = progress.failure();
        if (failure != null) {
            throw progress.failedException(failure);
        }
    }

    /** Records handed to the handler so far. */
    public long recordsRead() {
        return loop.recordsRead();
    }

    /**
     * Stops reading: wakes the consumer, waits up to the close timeout for the thread, then interrupts it (a
     * handler stuck outside the consumer) and waits as long again. Waiters are released at once. Idempotent.
     */
    @Override
    public void close() {
        progress.close();
        loop.stop();
        if (Thread.currentThread() == thread) {
            endOffsets.close(); // closed from a handler: the loop ends when the handler returns
            return;
        }
        try {
            thread.join(settings.closeTimeout().toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(settings.closeTimeout().toMillis());
                if (thread.isAlive()) {
                    LOG.warn("{}: its thread did not end within {} ms", settings.name(),
                            2 * settings.closeTimeout().toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            endOffsets.close();
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** A listener's exception must not take the follower down with it. */
    private static StateListener safe(StateListener listener, String name) {
        return (state, cause) -> {
            try {
                listener.changed(state, cause);
            } catch (RuntimeException e) {
                LOG.warn("{}: the state listener failed on {}: {}", name, state, e.toString());
            }
        };
    }
}
