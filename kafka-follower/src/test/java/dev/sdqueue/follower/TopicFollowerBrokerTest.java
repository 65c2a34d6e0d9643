package dev.sdqueue.follower;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The follower against a real broker (LocalStack): replay, positions, barriers, failures and close. */
class TopicFollowerBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestBroker broker;

    private final List<TopicFollower<?, ?>> followers = new ArrayList<>();
    private final List<ConsumerRecord<String, String>> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = new TestBroker();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeFollowers() {
        followers.forEach(TopicFollower::close);
    }

    private TopicFollowerBuilder<String, String> follower(String... topics) {
        return TopicFollower.builder(new StringDeserializer(), new StringDeserializer())
                .bootstrapServers(broker.bootstrapServers()).clientId("test-" + UUID.randomUUID()).topics(topics)
                .pollTimeout(Duration.ofMillis(50)).retryBackoff(Duration.ofMillis(200)).onRecord(seen::add);
    }

    private <K, V> TopicFollower<K, V> track(TopicFollower<K, V> follower) {
        followers.add(follower);
        return follower;
    }

    private List<String> values() {
        return seen.stream().map(ConsumerRecord::value).toList();
    }

    @Test
    void replaysFromTheBeginningAndSignalsCaughtUpOnlyOnceEveryRecordWasHandled() throws Exception {
        String topic = broker.newTopic(3);
        broker.sendMany(topic, 3, "old", 300);
        TopicFollower<String, String> follower = track(follower(topic).build());
        CompletableFuture<Void> caughtUp = follower.whenCaughtUp();
        follower.start();

        assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
        assertThat(seen).hasSize(300); // at the signal, not eventually
        assertThat(caughtUp).isCompleted();
        assertThat(follower.state()).isEqualTo(FollowerState.FOLLOWING);
        assertThat(follower.positions()).containsOnly(Map.entry(new TopicPartition(topic, 0), 100L),
                Map.entry(new TopicPartition(topic, 1), 100L), Map.entry(new TopicPartition(topic, 2), 100L));
        for (int p = 0; p < 3; p++) {
            int partition = p;
            List<Integer> order = seen.stream().filter(r -> r.partition() == partition)
                    .map(r -> Integer.parseInt(r.value().substring(4))).toList();
            assertThat(order).hasSize(100).isSorted().allMatch(i -> i % 3 == partition);
        }
        broker.send(topic, 1, "new");
        assertThat(follower.awaitUpToNow(WAIT)).isTrue();
        assertThat(values()).hasSize(301).endsWith("new");
        assertThat(follower.recordsRead()).isEqualTo(301);
    }

    @Test
    void atTheEndItReadsExactlyWhatIsWrittenAfterOpenReturns() throws Exception {
        String topic = broker.newTopic(3);
        broker.sendMany(topic, 3, "old", 30);
        TopicFollower<String, String> follower = track(follower(topic).startAt(StartPosition.end())
                .whenTopicMissing(MissingTopicPolicy.FAIL).build().open(WAIT));
        for (int p = 0; p < 3; p++) { // at once: no time for a lazily resolved position to move past these
            broker.send(topic, p, "new-" + p);
        }
        assertThat(follower.caughtUp()).as("nothing to replay at the end").isTrue();
        assertThat(follower.awaitUpToNow(WAIT)).isTrue();
        assertThat(values()).containsExactlyInAnyOrder("new-0", "new-1", "new-2");
    }

    @Test
    void upToNowWaitsForEveryRecordWrittenBeforeTheCall() throws Exception {
        String topic = broker.newTopic(2);
        TopicFollower<String, String> follower = track(follower(topic).onRecord(record -> {
            Thread.sleep(2); // a slow handler: the barrier, not luck, must make the count exact
            seen.add(record);
        }).build().start());
        assertThat(follower.awaitCaughtUp(WAIT)).isTrue();

        broker.sendMany(topic, 2, "v", 200);
        assertThat(follower.awaitUpToNow(WAIT)).isTrue();
        assertThat(seen).hasSize(200);

        RecordMetadata last = broker.send(topic, 1, "last");
        assertThat(follower.awaitPositions(Map.of(new TopicPartition(topic, 1), last.offset() + 1), WAIT)).isTrue();
        assertThat(values()).endsWith("last");
        assertThat(follower.awaitPositions(Map.of(new TopicPartition(topic, 1), last.offset() + 2),
                Duration.ofMillis(300))).as("nothing there yet").isFalse();

        follower.close();
        assertThat(follower.awaitUpToNow(WAIT)).as("closed: false, not an exception").isFalse();
    }

    @Test
    void aLookbackStartsAtTheFirstRecordInTheWindowAndAtTheEndWhereThereIsNone() throws Exception {
        String topic = broker.newTopic(2);
        long now = System.currentTimeMillis();
        broker.send(topic, 0, "old-0", now - Duration.ofHours(2).toMillis());
        broker.send(topic, 0, "recent-0", now - Duration.ofMinutes(1).toMillis());
        broker.send(topic, 1, "old-1", now - Duration.ofHours(2).toMillis());
        TopicFollower<String, String> follower = track(follower(topic)
                .startAt(StartPosition.lookback(Duration.ofHours(1))).build().start());
        assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
        assertThat(values()).containsExactly("recent-0");

        broker.send(topic, 1, "new-1");
        assertThat(follower.awaitUpToNow(WAIT)).isTrue();
        assertThat(values()).containsExactly("recent-0", "new-1");

        seen.clear();
        TopicFollower<String, String> fromInstant = track(follower(topic)
                .startAt(StartPosition.timestamp(Instant.ofEpochMilli(now - Duration.ofMinutes(90).toMillis())))
                .build().start());
        assertThat(fromInstant.awaitCaughtUp(WAIT)).isTrue();
        assertThat(values()).containsExactlyInAnyOrder("recent-0", "new-1");
    }

    @Test
    void partitionsAddedWhileFollowingAreReadFromTheirBeginning() throws Exception {
        String topic = broker.newTopic(1);
        TopicFollower<String, String> follower = track(follower(topic).startAt(StartPosition.end())
                .partitionRefresh(Duration.ofMillis(300)).build().open(WAIT));
        broker.addPartitions(topic, 3);
        broker.send(topic, 1, "p1");
        broker.send(topic, 2, "p2");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (follower.partitions().size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(follower.partitions()).hasSize(3);
        assertThat(follower.awaitUpToNow(WAIT)).isTrue();
        assertThat(values()).containsExactlyInAnyOrder("p1", "p2");
    }

    @Test
    void aPartitionSubsetReadsOnlyThosePartitions() throws Exception {
        String topic = broker.newTopic(3);
        broker.sendMany(topic, 3, "v", 30);
        TopicPartition one = new TopicPartition(topic, 1);
        TopicFollower<String, String> follower = track(follower(topic).partitions(List.of(one)).build().start());
        assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
        assertThat(follower.partitions()).containsExactly(one);
        assertThat(seen).hasSize(10).allMatch(r -> r.partition() == 1);
    }

    @Test
    void aReadCommittedFollowerNeverSeesAnAbortedTransactionAndStillCatchesUp() throws Exception {
        String topic = broker.newTopic(1);
        broker.abortThenCommit(topic, "aborted", "committed");
        TopicFollower<String, String> follower = track(follower(topic).readCommitted().build().start());
        assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
        assertThat(follower.awaitUpToNow(WAIT)).isTrue();
        assertThat(values()).containsExactly("committed");
    }

    @Test
    void aHandlerExceptionStopsTheFollowerAndEveryCallerHearsOfIt() throws Exception {
        String topic = broker.newTopic(1);
        broker.sendMany(topic, 1, "v", 5);
        List<String> states = Collections.synchronizedList(new ArrayList<>());
        TopicFollower<String, String> follower = track(follower(topic).onRecord(record -> {
            if (record.value().equals("v-2")) {
                throw new IllegalArgumentException("poisoned " + record.value());
            }
            seen.add(record);
        }).onStateChange((state, cause) -> states.add(state + (cause == null ? "" : " " + cause))).build());
        CompletableFuture<Void> caughtUp = follower.whenCaughtUp();
        follower.start();

        assertThatThrownBy(() -> follower.awaitCaughtUp(WAIT)).isInstanceOf(FollowerFailedException.class)
                .hasMessageContaining("poisoned v-2").hasMessageContaining(topic + "-0@2");
        assertThat(follower.state()).isEqualTo(FollowerState.FAILED);
        assertThat(follower.failure()).get().extracting(Throwable::getMessage).asString().contains("poisoned");
        assertThatThrownBy(follower::checkHealthy).isInstanceOf(FollowerFailedException.class);
        assertThat(caughtUp).isCompletedExceptionally();
        assertThat(values()).containsExactly("v-0", "v-1");
        assertThat(states).first().isEqualTo("ASSIGNING");
        assertThat(states).last().asString().startsWith("FAILED").contains("poisoned v-2");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (follower.alive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(follower.alive()).isFalse();
    }

    @Test
    void aMissingTopicFailsWithItsNameUnderFail() {
        String topic = TestBroker.unusedTopicName();
        TopicFollower<String, String> follower = track(follower(topic)
                .whenTopicMissing(MissingTopicPolicy.FAIL).build());
        assertThatThrownBy(() -> follower.open(WAIT)).isInstanceOf(FollowerFailedException.class)
                .hasMessageContaining("topic " + topic + " does not exist on " + broker.bootstrapServers());
        assertThat(follower.state()).isEqualTo(FollowerState.FAILED);
    }

    @Test
    void aMissingTopicIsWaitedForUnderWaitAndReadFromItsStartOnceCreated() throws Exception {
        String topic = TestBroker.unusedTopicName();
        TopicFollower<String, String> follower = track(follower(topic).build().start());
        assertThat(follower.awaitFollowing(Duration.ofSeconds(1))).isFalse();
        assertThat(follower.state()).isEqualTo(FollowerState.ASSIGNING);
        assertThat(follower.caughtUp()).isFalse();

        broker.createTopic(topic, 2);
        broker.send(topic, 1, "first");
        assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
        assertThat(follower.awaitUpToNow(WAIT)).isTrue();
        assertThat(values()).containsExactly("first");
    }

    @Test
    void closeEndsAFollowerBlockedOnAnUnreachableBrokerAndReleasesItsWaiters() throws Exception {
        TopicFollower<String, String> follower = track(follower("any")
                .bootstrapServers("127.0.0.1:" + closedPort()).kafkaTimeout(Duration.ofSeconds(60)).build().start());
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return follower.awaitCaughtUp(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500); // inside partitionsFor, which would wait 60 s
        long begin = System.nanoTime();
        follower.close();
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(follower.alive()).isFalse();
        assertThat(follower.state()).isEqualTo(FollowerState.CLOSED);
    }

    @Test
    void closeEndsAFollowerBlockedInPollOrInItsHandler() throws Exception {
        String topic = broker.newTopic(1);
        TopicFollower<String, String> polling = track(follower(topic).pollTimeout(Duration.ofSeconds(60))
                .build().open(WAIT));
        Thread.sleep(300);
        long begin = System.nanoTime();
        polling.close();
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
        assertThat(polling.alive()).isFalse();

        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TopicFollower<String, String> stuck = track(follower(topic).closeTimeout(Duration.ofMillis(300))
                .onRecord(record -> {
                    entered.countDown();
                    never.await(); // only an interrupt gets it out
                }).build().start());
        broker.send(topic, 0, "blocks");
        assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        begin = System.nanoTime();
        stuck.close();
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
        assertThat(stuck.alive()).isFalse();
        assertThat(stuck.state()).as("closed, not failed: the interrupt was ours").isEqualTo(FollowerState.CLOSED);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
