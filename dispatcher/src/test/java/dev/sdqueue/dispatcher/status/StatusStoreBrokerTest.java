package dev.sdqueue.dispatcher.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status store on a real broker (LocalStack), without Quarkus: TTL with changelog tombstones, a restart from
 * local state, two replicas answering for each other, and the co-partitioning check (destructive: last).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusStoreBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static LocalStack stack;
    private static KafkaProducer<String, byte[]> producer;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        stack = LocalStack.forTests().start();
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopBroker() {
        if (producer != null) {
            producer.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void aJobIsGoneTtlAfterItsLatestUpdateAndItsChangelogHasATombstone() {
        try (StatusReplica replica = replica("ttl-test", dir.resolve("a"))
                .ttl(Duration.ofSeconds(3), Duration.ofSeconds(1)).build().start()) {
            String id = UUID.randomUUID().toString();
            long updatedAt = sendRequest(id);
            await().atMost(WAIT).until(() -> replica.lookup().find(id) instanceof Lookup.Found);
            await().atMost(WAIT).until(() -> replica.lookup().find(id) instanceof Lookup.Missing);
            assertThat(System.currentTimeMillis() - updatedAt).as("kept for its TTL after its latest update")
                    .isGreaterThanOrEqualTo(3_000);
            await().atMost(WAIT).until(() -> replica.counters.expired() >= 1);

            List<ConsumerRecord<String, byte[]>> changelog = readAll("ttl-test-" + StatusTopology.STATUS_STORE
                    + "-changelog", r -> id.equals(r.key()) && r.value() == null);
            List<byte[]> values = changelog.stream().filter(r -> id.equals(r.key())).map(ConsumerRecord::value)
                    .toList();
            assertThat(values).as("the status, then its tombstone").hasSizeGreaterThanOrEqualTo(2);
            assertThat(values.get(0)).isNotNull();
            assertThat(values.get(values.size() - 1)).isNull();
        }
    }

    @Test
    @Order(2)
    void aRestartRestoresFromItsStateDirWithoutReadingTheTopicsAgain() throws Exception {
        Path state = dir.resolve("state");
        List<String> ids = new ArrayList<>();
        try (StatusReplica first = replica("restart-test", state).build().start()) {
            for (int i = 0; i < 20; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                sendRequest(id);
                sendEvent(new GenerationEvent.Started(id, Instant.now(), 1, "w"));
            }
            await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> first.lookup().find(id)
                    instanceof Lookup.Found found && found.status().status() == JobPhase.RUNNING
                    && found.status().request() != null));
        }
        Map<TopicPartition, Long> end = endOffsets(Topics.REQUESTS, Topics.EVENTS);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("restart-test")
                    .partitionsToOffsetAndMetadata().get();
            assertThat(committed.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                    e -> e.getValue().offset()))).as("the group's offsets are at the end").isEqualTo(end);
        }

        try (StatusReplica second = replica("restart-test", state).build().start()) {
            await().atMost(WAIT).until(() -> second.state.ready());
            for (String id : ids) {
                assertThat(second.lookup().find(id)).isInstanceOfSatisfying(Lookup.Found.class,
                        found -> assertThat(found.status().status()).isEqualTo(JobPhase.RUNNING));
            }
            assertThat(second.state.restoredRecords()).as("nothing copied back from the changelog").isZero();
            assertThat(second.counters.applied()).as("no input record read again").isZero();

            sendEvent(new GenerationEvent.Failed(ids.get(0), Instant.now(), 1, "oom", "x", false));
            await().atMost(WAIT).until(() -> second.counters.applied() == 1);
        }
    }

    @Test
    @Order(3)
    void twoReplicasAnswerForEachOtherAndNeverSayMissingWhileTheyRebalance() {
        try (StatusReplica a = replica("replicas-test", dir.resolve("a")).build().start();
             StatusReplica b = replica("replicas-test", dir.resolve("b")).build().start()) {
            await().atMost(WAIT).until(() -> a.state.ready() && b.state.ready()
                    && activePartitions(a.streams(), b.host()) > 0 && activePartitions(a.streams(), a.host()) > 0);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                sendRequest(id);
            }
            await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> isFound(a.lookup().find(id))));
            EnumSet<Lookup.Source> sources = EnumSet.noneOf(Lookup.Source.class);
            List<String> ownedByB = new ArrayList<>();
            for (String id : ids) {
                Lookup viaA = a.lookup().find(id);
                sources.add(viaA.source());
                if (viaA instanceof Lookup.Forwarded forwarded) {
                    ownedByB.add(id);
                    assertThat(forwarded.status()).isEqualTo(((Lookup.Found) b.lookup().find(id)).status());
                    assertThat(forwarded.status().request().prompt()).isEqualTo("a fox " + id);
                }
            }
            assertThat(sources).containsExactlyInAnyOrder(Lookup.Source.LOCAL, Lookup.Source.FORWARDED);
            printForwardLatency(a.lookup(), ownedByB);

            // Read-your-writes: a job A accepted but whose record no store has read yet.
            GenerationRequested accepted = request(UUID.randomUUID().toString());
            a.accepted.record(accepted);
            assertThat(a.lookup().find(accepted.jobId())).isInstanceOfSatisfying(Lookup.Found.class,
                    found -> assertThat(found.source()).isEqualTo(Lookup.Source.ACCEPTED));
            assertThat(b.lookup().find(accepted.jobId())).isInstanceOf(Lookup.Missing.class);

            // B leaves: its partitions move to A (warm standbys). Meanwhile: answers or 503, never "missing".
            String moving = ownedByB.get(0);
            b.close();
            List<Lookup.Source> seen = new ArrayList<>();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                Lookup l = a.lookup().find(moving);
                seen.add(l.source());
                return l.source() == Lookup.Source.LOCAL;
            });
            assertThat(seen).doesNotContain(Lookup.Source.MISSING);
        }
    }

    @Test
    @Order(4)
    void aReplicaAnswersFromItsOwnStandbyCopyWhenTheStatusIsFinalOrTheCopyFresh() {
        try (StatusReplica a = replica("standby-test", dir.resolve("a")).build().start();
             StatusReplica b = replica("standby-test", dir.resolve("b")).standbyMaxLag(100).build().start()) {
            await().atMost(WAIT).until(() -> a.state.ready() && b.state.ready()
                    && activePartitions(a.streams(), b.host()) > 0 && activePartitions(a.streams(), a.host()) > 0);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                sendRequest(id);
                if (i % 2 == 0) {
                    sendEvent(new GenerationEvent.Failed(id, Instant.now(), 1, "oom", "x", false));
                }
            }
            Map<Boolean, List<String>> byOwner = ids.stream().collect(Collectors.partitioningBy(
                    id -> ownedBy(a.streams(), id, b.host())));
            List<String> ownedByA = byOwner.get(false);
            List<String> ownedByB = byOwner.get(true);
            assertThat(ownedByA).isNotEmpty();
            assertThat(ownedByB).isNotEmpty();
            // Each replica holds the other's partitions as standby copies, caught up once every final status is there.
            await().atMost(WAIT).until(() -> ids.stream().filter(id -> ids.indexOf(id) % 2 == 0).allMatch(id ->
                    a.lookup().find(id).source() != Lookup.Source.FORWARDED
                            && b.lookup().find(id).source() != Lookup.Source.FORWARDED));

            // A has sdq.status.standby-max-lag < 0: only final statuses come from its copy.
            for (String id : ownedByB) {
                Lookup viaA = a.lookup().find(id);
                boolean failed = ids.indexOf(id) % 2 == 0;
                assertThat(viaA.source()).as(id).isEqualTo(failed ? Lookup.Source.STANDBY : Lookup.Source.FORWARDED);
                assertThat(((Lookup.Found) b.lookup().find(id)).status().status())
                        .isEqualTo(failed ? JobPhase.FAILED : JobPhase.QUEUED);
            }
            // B's copy is fresh (lag 0 ≤ 100 once sampled): it answers every job A owns, final or not, without a hop.
            b.standbyLags.refresh();
            a.standbyLags.refresh();
            assertThat(b.standbyLags.totalLag()).as("B's copies, warm").isZero();
            assertThat(a.standbyLags.totalLag()).as("A's copies, warm (sampled although it never reads them fresh)")
                    .isZero();
            for (String id : ownedByA) {
                Lookup viaB = b.lookup().find(id);
                assertThat(viaB.source()).as(id).isEqualTo(Lookup.Source.STANDBY);
                assertThat(((Lookup.Found) viaB).status()).isEqualTo(((Lookup.Found) a.lookup().find(id)).status());
            }
            // A standby's miss is never the answer: the owner is asked (a job may be newer than the copy).
            String unknownOwnedByA = java.util.stream.Stream.generate(() -> UUID.randomUUID().toString())
                    .filter(id -> !ownedBy(a.streams(), id, b.host())).findFirst().orElseThrow();
            b.accepted.record(request(unknownOwnedByA));
            assertThat(b.lookup().find(unknownOwnedByA).source()).isEqualTo(Lookup.Source.ACCEPTED);
            assertThat(a.lookup().find(unknownOwnedByA)).isInstanceOf(Lookup.Missing.class);
        }
    }

    /** Destructive (changes the contract topics): last. */
    @Test
    @Order(10)
    void topicsThatAreNotCoPartitionedStopTheStartNamingBothTopicsAndCounts() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            int requests = admin.describeTopics(List.of(Topics.REQUESTS)).allTopicNames().get()
                    .get(Topics.REQUESTS).partitions().size();
            admin.createPartitions(Map.of(Topics.EVENTS, NewPartitions.increaseTo(requests + 1))).all().get();
            String expected = Topics.EVENTS + " has " + (requests + 1);
            await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(() -> CoPartitioning.await(admin,
                    Duration.ofSeconds(5), Duration.ofMillis(100), () -> false))
                    .isInstanceOf(StatusStoreStartupException.class)
                    .hasMessageContaining(Topics.REQUESTS + " has " + requests).hasMessageContaining(expected));

            StatusReplica refused = replica("copartition-test", dir.resolve("c")).build();
            try {
                assertThatThrownBy(refused::start).isInstanceOf(StatusStoreStartupException.class)
                        .hasMessageContaining(expected);
                assertThat(refused.fatal).singleElement().asString().contains(expected);
                assertThat(refused.state.alive()).isFalse();
                assertThat(refused.state.ready()).isFalse();
            } finally {
                refused.close();
            }
            assertThat(refused.counters.applied()).isZero();
            assertThat(refused.streams().state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);

            admin.deleteTopics(List.of(Topics.EVENTS)).all().get();
            long begin = System.nanoTime();
            assertThatThrownBy(() -> CoPartitioning.await(admin, Duration.ofSeconds(2), Duration.ofMillis(100),
                    () -> false)).isInstanceOf(StatusStoreStartupException.class)
                    .hasMessageContaining("[" + Topics.EVENTS + "] still missing after PT2S");
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(20));
        }
    }

    private StatusReplica.Builder replica(String applicationId, Path stateDir) {
        return StatusReplica.builder(stack.bootstrapServers(), applicationId, stateDir);
    }

    private static boolean ownedBy(KafkaStreams streams, String id, HostInfo host) {
        return streams.queryMetadataForKey(StatusTopology.STATUS_STORE, id, new StringSerializer()).activeHost()
                .equals(host);
    }

    private static boolean isFound(Lookup lookup) {
        return lookup instanceof Lookup.Found || lookup instanceof Lookup.Forwarded;
    }

    private static long activePartitions(KafkaStreams streams, HostInfo host) {
        return streams.metadataForAllStreamsClients().stream().filter(m -> m.hostInfo().equals(host))
                .mapToLong(m -> m.topicPartitions().size()).sum();
    }

    /**
     * About 1,000 lookups/s for 2 s of ids the other replica owns, one at a time: each must be forwarded. The latency
     * is printed, with only a loose bound (a stall, not a slow shared test box, should fail this).
     */
    private static void printForwardLatency(StatusLookup lookup, List<String> remoteIds) {
        assertThat(remoteIds).isNotEmpty();
        int n = 2_000;
        long[] micros = new long[n];
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * 1_000_000L;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            long t = System.nanoTime();
            Lookup found = lookup.find(remoteIds.get(i % remoteIds.size()));
            micros[i] = (System.nanoTime() - t) / 1_000;
            assertThat(found).isInstanceOf(Lookup.Forwarded.class);
        }
        Arrays.sort(micros);
        long p50 = micros[n / 2];
        long p99 = micros[(int) (n * 0.99)];
        System.out.printf("status forward latency (JDK HttpServer peer): p50=%d us p99=%d us max=%d us%n", p50, p99,
                micros[n - 1]);
        assertThat(p50).as("median forwarded lookup, microseconds").isLessThan(250_000);
    }

    /** @return the record's timestamp */
    private static long sendRequest(String id) {
        return send(Topics.REQUESTS, id, EventJson.toBytes(request(id)));
    }

    private static void sendEvent(GenerationEvent event) {
        send(Topics.EVENTS, event.jobId(), EventJson.toBytes(event));
    }

    private static long send(String topic, String key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key, value)).get().timestamp();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static GenerationRequested request(String id) {
        return new GenerationRequested(id, "a fox " + id, null, 512, 512, 20, 7.5, null, null, 1, null,
                Instant.now());
    }

    private static Map<TopicPartition, Long> endOffsets(String... topics) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            return consumer.endOffsets(partitions);
        }
    }

    /** Every record of {@code topic} until one matches {@code last} (or fails after the wait). */
    private static List<ConsumerRecord<String, byte[]>> readAll(String topic,
            java.util.function.Predicate<ConsumerRecord<String, byte[]>> last) {
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r);
                    if (last.test(r)) {
                        return read;
                    }
                }
            }
        }
        throw new AssertionError("no matching record on " + topic + "; read " + read.size());
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "enable.auto.commit", false), new StringDeserializer(), new ByteArrayDeserializer());
    }
}
