package dev.sdqueue.follower;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The waiting logic shared by every barrier, without a broker. */
class ProgressTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private final List<String> changes = new ArrayList<>();
    private final Progress progress = new Progress("test follower",
            (state, cause) -> changes.add(state + (cause == null ? "" : ":" + cause.getMessage())));

    @Test
    void aTargetIsReachedAtOrPastItsOffsetAndAnUnassignedPartitionOnlyReachesZero() {
        assertThat(Progress.reached(Map.of(P0, 5L), Map.of(P0, 5L))).isTrue();
        assertThat(Progress.reached(Map.of(P0, 6L), Map.of(P0, 5L))).isTrue();
        assertThat(Progress.reached(Map.of(P0, 4L), Map.of(P0, 5L))).isFalse();
        assertThat(Progress.reached(Map.of(P0, 5L), Map.of(P0, 5L, P1, 1L))).isFalse();
        assertThat(Progress.reached(Map.of(P0, 5L), Map.of(P0, 5L, P1, 0L))).isTrue();
        assertThat(Progress.reached(Map.of(), Map.of())).isTrue();
    }

    @Test
    void caughtUpOnlyOncePositionsReachTheTargetsCapturedAtTheFirstAssignment() throws Exception {
        progress.publish(Map.of(P0, 100L)); // before any targets: never caught up
        assertThat(progress.caughtUp()).isFalse();
        progress.positioned(Map.of(P0, 3L, P1, 2L), Map.of(P0, 0L, P1, 0L));
        assertThat(progress.caughtUp()).isFalse();
        assertThat(progress.awaitFollowing(Duration.ZERO)).isTrue();
        progress.positioned(Map.of(P0, 0L, P1, 0L), Map.of(P0, 3L, P1, 1L)); // later targets are ignored
        assertThat(progress.caughtUp()).isFalse();
        CompletableFuture<Void> future = progress.caughtUpFuture();
        assertThat(future).isNotDone();
        progress.publish(Map.of(P0, 3L, P1, 2L));
        assertThat(progress.caughtUp()).isTrue();
        assertThat(future).isCompleted();
        assertThat(progress.awaitCaughtUp(Duration.ZERO)).isTrue();
    }

    @Test
    void aWaiterIsReleasedByThePublishThatReachesItsTarget() throws Exception {
        progress.positioned(Map.of(), Map.of(P0, 0L));
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return progress.awaitPositions(Map.of(P0, 10L), Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        progress.publish(Map.of(P0, 9L));
        Thread.sleep(100);
        assertThat(waiter).isNotDone();
        progress.publish(Map.of(P0, 10L));
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aWaitTimesOutWithFalse() throws Exception {
        long begin = System.nanoTime();
        assertThat(progress.awaitPositions(Map.of(P0, 1L), Duration.ofMillis(200))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isBetween(Duration.ofMillis(190),
                Duration.ofSeconds(5));
    }

    @Test
    void aFailureWakesEveryWaiterWithTheCauseAndIsFinal() throws Exception {
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return progress.awaitCaughtUp(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        CompletableFuture<Void> future = progress.caughtUpFuture();
        Thread.sleep(100);
        IllegalStateException cause = new IllegalStateException("boom");
        progress.fail(cause);
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(FollowerFailedException.class).hasMessageContaining("test follower failed")
                .hasCause(cause);
        assertThat(progress.awaitPositions(Map.of(), Duration.ZERO)).as("already met").isTrue();
        assertThatThrownBy(() -> progress.awaitPositions(Map.of(P0, 1L), Duration.ofSeconds(1)))
                .isInstanceOf(FollowerFailedException.class);
        assertThat(future).isCompletedExceptionally();
        progress.close();
        progress.enter(FollowerState.FOLLOWING);
        assertThat(progress.state()).isEqualTo(FollowerState.FAILED);
        assertThat(progress.failure()).isSameAs(cause);
        assertThat(changes).containsExactly("FAILED:boom");
    }

    @Test
    void closingReleasesWaitersWithFalseAndCancelsTheFuture() throws Exception {
        progress.enter(FollowerState.ASSIGNING);
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return progress.awaitFollowing(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        long begin = System.nanoTime();
        progress.close();
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(2));
        assertThatThrownBy(() -> progress.caughtUpFuture().get()).isInstanceOf(CancellationException.class);
        progress.fail(new IllegalStateException("after close"));
        assertThat(progress.state()).isEqualTo(FollowerState.CLOSED);
        assertThat(progress.failure()).isNull();
        assertThat(changes).containsExactly("ASSIGNING", "CLOSED");
    }
}
