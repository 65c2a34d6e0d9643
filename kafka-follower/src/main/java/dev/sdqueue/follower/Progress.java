package dev.sdqueue.follower;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * What the follower thread has done so far, published for other threads to read and wait on: state, positions
 * after the last handled poll, the catch-up targets. One monitor; waiters are woken on every change. No Kafka
 * client in here, so the waiting logic is tested on its own.
 */
final class Progress {
    private final Object monitor = new Object();
    private final String name;
    private final TopicFollower.StateListener listener;
    private final CompletableFuture<Void> caughtUpFuture = new CompletableFuture<>();
    private FollowerState state = FollowerState.NEW;
    private Map<TopicPartition, Long> positions = Map.of();
    /** End offsets captured at the first complete assignment; null before. */
    private Map<TopicPartition, Long> catchUpTargets;
    private boolean caughtUp;
    private Throwable failure;

    Progress(String name, TopicFollower.StateListener listener) {
        this.name = name;
        this.listener = listener;
    }

    FollowerState state() {
        synchronized (monitor) {
            return state;
        }
    }

    boolean caughtUp() {
        synchronized (monitor) {
            return caughtUp;
        }
    }

    Throwable failure() {
        synchronized (monitor) {
            return failure;
        }
    }

    Map<TopicPartition, Long> positions() {
        synchronized (monitor) {
            return positions;
        }
    }

    CompletableFuture<Void> caughtUpFuture() {
        return caughtUpFuture;
    }

    /** A state change by the follower thread; ignored once stopped (FAILED and CLOSED are final). */
    void enter(FollowerState next) {
        synchronized (monitor) {
            if (state == next || state.stopped()) {
                return;
            }
            state = next;
            monitor.notifyAll();
        }
        listener.changed(next, null);
    }

    /**
     * Every topic is assigned and positioned: publishes the positions and, the first time, keeps the end offsets
     * the follower must reach to be caught up (both at once, so a waiter never sees one without the other).
     */
    void positioned(Map<TopicPartition, Long> endOffsets, Map<TopicPartition, Long> now) {
        update(endOffsets, now);
    }

    /** Positions after a poll whose records were all handled. */
    void publish(Map<TopicPartition, Long> now) {
        update(null, now);
    }

    private void update(Map<TopicPartition, Long> endOffsets, Map<TopicPartition, Long> now) {
        synchronized (monitor) {
            if (endOffsets != null && catchUpTargets == null) {
                catchUpTargets = Map.copyOf(endOffsets);
            }
            positions = Map.copyOf(now);
            if (!caughtUp && catchUpTargets != null && reached(positions, catchUpTargets)) {
                caughtUp = true;
                // Before waking the waiters, so that one released by the catch-up finds the future done too.
                caughtUpFuture.complete(null);
            }
            monitor.notifyAll();
        }
    }

    void fail(Throwable cause) {
        synchronized (monitor) {
            if (state.stopped()) {
                return;
            }
            state = FollowerState.FAILED;
            failure = cause;
            caughtUpFuture.completeExceptionally(failedException(cause));
            monitor.notifyAll();
        }
        listener.changed(FollowerState.FAILED, cause);
    }

    void close() {
        synchronized (monitor) {
            if (state.stopped()) {
                return;
            }
            state = FollowerState.CLOSED;
            caughtUpFuture.completeExceptionally(new CancellationException(name + " was closed before it caught up"));
            monitor.notifyAll();
        }
        listener.changed(FollowerState.CLOSED, null);
    }

    /** See {@link TopicFollower#awaitCaughtUp}. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return await(() -> caughtUp, timeout);
    }

    /** See {@link TopicFollower#awaitFollowing}. */
    boolean awaitFollowing(Duration timeout) throws InterruptedException {
        return await(() -> catchUpTargets != null, timeout);
    }

    /** See {@link TopicFollower#awaitPositions}. */
    boolean awaitPositions(Map<TopicPartition, Long> targets, Duration timeout) throws InterruptedException {
        Map<TopicPartition, Long> wanted = Map.copyOf(targets);
        return await(() -> reached(positions, wanted), timeout);
    }

    /**
     * Waits (under the monitor) until {@code condition} holds: true then; false on timeout or once closed; throws
     * once failed, so a caller never mistakes a dead follower for a slow one.
     */
    private boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!condition.getAsBoolean()) {
                if (state == FollowerState.FAILED) {
                    throw failedException(failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || state == FollowerState.CLOSED) {
                    return false;
                }
                monitor.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** The error callers get from a failed follower: its name and the original cause. */
    FollowerFailedException failedException(Throwable cause) {
        return new FollowerFailedException(name + " failed: " + cause, cause);
    }

    /**
     * True if every target is reached: the position is at or past it. A partition without a position (not
     * assigned) reaches only a target of 0 (an empty partition has nothing to wait for).
     */
    static boolean reached(Map<TopicPartition, Long> at, Map<TopicPartition, Long> targets) {
        for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
            Long position = at.get(target.getKey());
            if (target.getValue() > 0 && (position == null || position < target.getValue())) {
                return false;
            }
        }
        return true;
    }
}
