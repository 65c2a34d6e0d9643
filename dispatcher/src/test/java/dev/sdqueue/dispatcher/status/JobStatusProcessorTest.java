package dev.sdqueue.dispatcher.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production topology driven record by record (TopologyTestDriver: real RocksDB stores, a controlled clock). */
class JobStatusProcessorTest {
    private static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration SCAN = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;
    private final StatusCounters counters = new StatusCounters();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> requests;
    private TestInputTopic<String, byte[]> events;
    private KeyValueStore<String, ValueAndTimestamp<JobStatus>> store;
    private KeyValueStore<Bytes, byte[]> index;

    @BeforeEach
    void start() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "status-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve("state")).toString());
        driver = new TopologyTestDriver(StatusTopology.build(TTL, SCAN, counters), props, T0);
        requests = driver.createInputTopic(Topics.REQUESTS, new StringSerializer(), new ByteArraySerializer());
        events = driver.createInputTopic(Topics.EVENTS, new StringSerializer(), new ByteArraySerializer());
        store = driver.getTimestampedKeyValueStore(StatusTopology.STATUS_STORE);
        index = driver.getKeyValueStore(StatusTopology.EXPIRY_STORE);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void requestAndEventsMergeIntoOneStatusPerJob() {
        requests.pipeInput("a", EventJson.toBytes(request("a")), T0);
        assertThat(status("a").status()).isEqualTo(JobPhase.QUEUED);
        assertThat(status("a").request()).isEqualTo(request("a"));

        event(new GenerationEvent.Started("a", T0.plusSeconds(1), 1, "w1"), T0.plusSeconds(1));
        event(new GenerationEvent.Progress("a", T0.plusSeconds(2), 1, 4, 20), T0.plusSeconds(2));
        assertThat(status("a").progress()).isEqualTo(new JobStatus.Progress(4, 20));
        event(new GenerationEvent.Completed("a", T0.plusSeconds(3), 1, List.of(image("a")), null, "w1", "cpu",
                null), T0.plusSeconds(3));
        JobStatus done = status("a");
        assertThat(done.status()).isEqualTo(JobPhase.SUCCEEDED);
        assertThat(done.request()).isEqualTo(request("a"));

        // Redelivered and late events after the first terminal one change nothing, not even the update time.
        event(new GenerationEvent.Failed("a", T0.plusSeconds(4), 2, "oom", "late", true), T0.plusSeconds(4));
        requests.pipeInput("a", EventJson.toBytes(request("a")), T0.plusSeconds(5));
        assertThat(store.get("a")).isEqualTo(ValueAndTimestamp.make(done, T0.plusSeconds(3).toEpochMilli()));
        assertThat(counters.applied()).isEqualTo(6);
        assertThat(indexKeys()).containsExactly(ExpiryKeys.of(T0.plusSeconds(3).plus(TTL).toEpochMilli(), "a"));
    }

    @Test
    void eventsBeforeTheRequestAreKeptAndJobsAreIndependent() {
        event(new GenerationEvent.Started("a", T0, 1, "w1"), T0);
        requests.pipeInput("b", EventJson.toBytes(request("b")), T0);
        requests.pipeInput("a", EventJson.toBytes(request("a")), T0.plusMillis(1));
        assertThat(status("a").status()).isEqualTo(JobPhase.RUNNING);
        assertThat(status("a").request()).isEqualTo(request("a"));
        assertThat(status("b").status()).isEqualTo(JobPhase.QUEUED);
    }

    @Test
    void unreadableRecordsAreSkippedAndCountedAndTombstonesIgnored() {
        requests.pipeInput("x", "not json".getBytes(StandardCharsets.UTF_8), T0);
        events.pipeInput("y", "{\"type\":\"teleported\",\"jobId\":\"y\"}".getBytes(StandardCharsets.UTF_8), T0);
        events.pipeInput("z", "{\"type\":\"started\",\"attempt\":1}".getBytes(StandardCharsets.UTF_8), T0);
        requests.pipeInput((String) null, EventJson.toBytes(request(null)), T0);
        requests.pipeInput("t", (byte[]) null, T0);
        assertThat(counters.skipped()).isEqualTo(4);
        assertThat(counters.applied()).isZero();
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void aRecordTooLargeForTheChangelogIsSkippedAndTheJobsEventsStillCount() {
        GenerationRequested huge = new GenerationRequested("h", "a".repeat(3 * 1024 * 1024), null, 64, 64, 2, 5.0,
                1L, null, 1, null, T0);
        requests.pipeInput("h", EventJson.toBytes(huge), T0);
        assertThat(store.get("h")).isNull();
        assertThat(counters.skipped()).isEqualTo(1);
        event(new GenerationEvent.Failed("h", T0.plusSeconds(1), 1, "invalid", "prompt too long", false),
                T0.plusSeconds(1));
        assertThat(status("h").status()).isEqualTo(JobPhase.FAILED);
        assertThat(status("h").request()).isNull();
    }

    @Test
    void aRequestWithoutAJobIdIsTheKeysAndAnotherKeyIsCounted() {
        requests.pipeInput("k", EventJson.toBytes(request(null)), T0);
        assertThat(status("k").request().jobId()).isEqualTo("k");
        assertThat(counters.keyNotJobId()).isZero();

        requests.pipeInput("some-other-key", EventJson.toBytes(request("j")), T0);
        assertThat(status("j").status()).isEqualTo(JobPhase.QUEUED);
        assertThat(counters.keyNotJobId()).isEqualTo(1);
    }

    @Test
    void aJobIsDeletedTtlAfterItsLatestUpdate() {
        requests.pipeInput("a", EventJson.toBytes(request("a")), T0);
        requests.pipeInput("b", EventJson.toBytes(request("b")), T0);
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        event(new GenerationEvent.Started("a", T0.plusSeconds(5), 1, "w"), T0.plusSeconds(5)); // a: until T0+15
        driver.advanceWallClockTime(Duration.ofSeconds(6)); // T0+11: b expired at T0+10
        assertThat(store.get("b")).isNull();
        assertThat(store.get("a")).isNotNull();
        assertThat(counters.expired()).isEqualTo(1);

        driver.advanceWallClockTime(Duration.ofSeconds(5)); // T0+16
        assertThat(store.get("a")).isNull();
        assertThat(indexKeys()).as("the index forgets expired jobs too").isEmpty();
        assertThat(counters.expired()).isEqualTo(2);
    }

    @Test
    void aRecordThatChangesNothingDoesNotExtendTheTtl() {
        event(new GenerationEvent.Started("a", T0, 1, "w"), T0);
        driver.advanceWallClockTime(Duration.ofSeconds(8));
        event(new GenerationEvent.Started("a", T0.plusSeconds(8), 1, "w"), T0.plusSeconds(8)); // a duplicate
        driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertThat(store.get("a")).isNull();
    }

    @Test
    void aRecordForATimeAlreadyPastTheTtlIsNotStored() {
        Instant old = T0.minus(TTL).minusSeconds(1);
        requests.pipeInput("old", EventJson.toBytes(request("old")), old);
        assertThat(store.get("old")).isNull();
        assertThat(indexKeys()).isEmpty();
        assertThat(counters.expiredOnArrival()).isEqualTo(1);

        requests.pipeInput("recent", EventJson.toBytes(request("recent")), T0.minusSeconds(1));
        assertThat(store.get("recent")).isNotNull();
    }

    private void event(GenerationEvent event, Instant at) {
        events.pipeInput(event.jobId(), EventJson.toBytes(event), at);
    }

    private JobStatus status(String id) {
        ValueAndTimestamp<JobStatus> value = store.get(id);
        assertThat(value).as("status of %s", id).isNotNull();
        return value.value();
    }

    private List<Bytes> indexKeys() {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = index.all()) {
            it.forEachRemaining((KeyValue<Bytes, byte[]> kv) -> keys.add(kv.key));
        }
        return keys;
    }

    private static GenerationRequested request(String id) {
        return new GenerationRequested(id, "a fox", null, 512, 512, 20, 7.5, null, null, 1, null, T0);
    }

    private static ImageRef image(String id) {
        return new ImageRef("http://s3/" + id + ".png", "b", id + "/0.png", 512, 512, 1, "image/png");
    }
}
