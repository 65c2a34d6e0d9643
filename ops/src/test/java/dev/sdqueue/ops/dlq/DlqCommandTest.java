package dev.sdqueue.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./sdq dlq} against a real broker: dead-letter records carrying the headers the worker and SmallRye write,
 * listed, shown, filtered and replayed. Each test uses its own reason code and job ids, so tests sharing the topic
 * do not see each other's records through their filters.
 */
class DlqCommandTest {
    private static LocalStack stack;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startBroker() {
        stack = LocalStack.forTests().start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
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

    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    @Test
    void listShowsOneLinePerRecordFilteredByReasonAndSince() {
        String reason = unique("invalid");
        String oldJob = UUID.randomUUID().toString();
        String newJob = UUID.randomUUID().toString();
        Instant threeHoursAgo = Instant.now().minus(Duration.ofHours(3));
        RecordMetadata old = deadLetter(oldJob, request(oldJob), reason, "size 4096x4096 is not served", threeHoursAgo);
        RecordMetadata recent = deadLetter(newJob, request(newJob), reason, "scheduler lcm\nis not served", null);
        deadLetter(UUID.randomUUID().toString(), request("other"), unique("other"), "not this one", null);

        Run all = dlq("list", "--reason", reason);
        assertThat(all.exitCode()).isZero();
        assertThat(all.lines()).first().asString().startsWith("LOCATION").contains("JOB ID", "REASON", "AGE",
                "MESSAGE");
        assertThat(all.lines()).hasSize(3);
        assertThat(all.lines().get(1)).startsWith(old.partition() + ":" + old.offset() + " ").contains(oldJob, reason,
                " 3h ", "size 4096x4096 is not served");
        assertThat(all.lines().get(2)).startsWith(recent.partition() + ":" + recent.offset() + " ")
                .contains(newJob, "scheduler lcm is not served").matches(".* [0-9]+s  .*");
        assertThat(all.err()).contains("2 record(s) shown");

        Run lastHour = dlq("list", "--reason", reason, "--since", "1h");
        assertThat(lastHour.lines()).hasSize(2);
        assertThat(lastHour.lines().get(1)).contains(newJob);

        Run newest = dlq("list", "--reason", reason, "--limit", "1");
        assertThat(newest.lines()).hasSize(2);
        assertThat(newest.lines().get(1)).contains(newJob);

        Run both = dlq("list", "--reason", reason + "," + "no-such-reason", "--since", threeHoursAgo.minusSeconds(60)
                .toString());
        assertThat(both.lines()).hasSize(3);
        assertThat(dlq("list", "--reason", "no-such-reason").lines()).isEmpty();
    }

    @Test
    void showPrintsEveryHeaderAndThePrettyValue() {
        String job = UUID.randomUUID().toString();
        String reason = unique("invalid");
        RecordMetadata at = deadLetter(job, request(job), reason, "width 4096 exceeds the model's 1024", null);

        for (String id : List.of(at.partition() + ":" + at.offset(), job)) {
            Run show = dlq("show", id);
            assertThat(show.exitCode()).as(id).isZero();
            assertThat(show.out()).contains(
                    Topics.DEAD_LETTER + " " + at.partition() + ":" + at.offset(),
                    "job:     " + job,
                    "reason:  " + reason,
                    "message: width 4096 exceeds the model's 1024",
                    "key:     " + job,
                    "  sdq-dlq-reason: " + reason,
                    "  sdq-dlq-message: width 4096 exceeds the model's 1024",
                    "  dead-letter-reason: width 4096 exceeds the model's 1024",
                    "  dead-letter-topic: " + Topics.REQUESTS,
                    "  dead-letter-exception-class-name: dev.sdqueue.worker.InvalidJobException",
                    "  delayed-retry-count: 2",
                    "  ce_type: " + Headers.TYPE_REQUESTED,
                    "  traceparent: 00-",
                    "value (",
                    "JSON):",
                    "  \"jobId\" : \"" + job + "\",",
                    "  \"prompt\" : \"a red fox\",");
            assertThat(show.out()).doesNotContain("not replayable");
        }
    }

    @Test
    void showOfPoisonIsEscapedTextOrAHexDump() {
        String job = UUID.randomUUID().toString();
        RecordMetadata text = deadLetter(job, "not json\u0000at all".getBytes(StandardCharsets.UTF_8), "poison",
                "value is not JSON", null);
        RecordMetadata binary = deadLetter(job, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41}, "poison",
                "value is not UTF-8", null);

        Run shownText = dlq("show", text.partition() + ":" + text.offset());
        assertThat(shownText.out()).contains("not replayable as a request: value is not JSON",
                "value (15 bytes, UTF-8 text, not JSON):", "not json\\u0000at all");
        Run shownBinary = dlq("show", binary.partition() + ":" + binary.offset());
        assertThat(shownBinary.out()).contains("value (4 bytes, not UTF-8):",
                "00000000  ff fe 00 41", "|...A|");

        Run byJob = dlq("show", job);
        assertThat(byJob.out()).as("every record of the job")
                .contains(text.partition() + ":" + text.offset(), binary.partition() + ":" + binary.offset());
    }

    @Test
    void showOfAnUnknownIdFailsWithExitCode1() {
        Run missing = dlq("show", UUID.randomUUID().toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).startsWith("dlq: no record");
        assertThat(dlq("show", "0:999999").exitCode()).isEqualTo(1);
        assertThat(dlq("show", "42:0").exitCode()).as("no such partition").isEqualTo(1);
    }

    @Test
    void replayWithSameIdPutsTheRecordBackWithTheSameKeyAndValueAndCleanHeaders() throws Exception {
        String job = UUID.randomUUID().toString();
        byte[] value = request(job);
        RecordMetadata at = deadLetter(job, value, unique("storage_unavailable"), "S3 down after 3 attempts", null);
        Map<TopicPartition, Long> before = endOffsets(Topics.REQUESTS);

        Run replay = dlq("replay", "--id", job, "--same-id");
        assertThat(replay.exitCode()).isZero();
        assertThat(replay.lines()).last().isEqualTo("replay: selected=1 replayed=1 skipped=0");
        assertThat(replay.out()).contains("replayed     " + at.partition() + ":" + at.offset());

        List<ConsumerRecord<byte[], byte[]>> replayed = readToEnd(Topics.REQUESTS, before);
        assertThat(replayed).singleElement().satisfies(r -> {
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(job);
            assertThat(r.value()).isEqualTo(value);
            assertThat(EventJson.fromBytes(r.value(), GenerationRequested.class).jobId()).isEqualTo(job);
            List<String> names = new ArrayList<>();
            r.headers().forEach(h -> names.add(h.key()));
            assertThat(names).noneMatch(n -> n.startsWith("dead-letter-") || n.startsWith("delayed-retry-")
                    || n.startsWith("sdq-dlq-"));
            assertThat(names).contains(Headers.CONTENT_TYPE, Headers.CE_TYPE, Headers.CE_ID, Headers.TRACEPARENT);
            assertThat(header(r, DlqReplayer.REPLAYED_FROM)).isEqualTo("dlq:" + at.partition() + ":" + at.offset());
            assertThat(header(r, Headers.CE_TYPE)).isEqualTo(Headers.TYPE_REQUESTED);
        });
    }

    @Test
    void replayByDefaultRunsUnderANewIdRewritingKeyAndJobIdOnlyAndTwiceIsTheSameJob() throws Exception {
        String job = UUID.randomUUID().toString();
        deadLetter(job, request(job), unique("storage_unavailable"), "S3 down", null);
        Map<TopicPartition, Long> before = endOffsets(Topics.REQUESTS);

        Run first = dlq("replay", "--id", job);
        Run second = dlq("replay", "--id", job);
        assertThat(first.lines()).last().isEqualTo("replay: selected=1 replayed=1 skipped=0");

        List<ConsumerRecord<byte[], byte[]>> replayed = readToEnd(Topics.REQUESTS, before);
        assertThat(replayed).hasSize(2);
        String newId = new String(replayed.get(0).key(), StandardCharsets.UTF_8);
        assertThat(newId).isNotEqualTo(job);
        assertThat(UUID.fromString(newId)).isNotNull();
        assertThat(first.out()).contains("job " + job + " as " + newId);
        assertThat(second.out()).as("derived from the DLQ record: a second replay is the same job")
                .contains("job " + job + " as " + newId);
        for (ConsumerRecord<byte[], byte[]> r : replayed) {
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(newId);
            GenerationRequested request = EventJson.fromBytes(r.value(), GenerationRequested.class);
            GenerationRequested original = EventJson.fromBytes(request(job), GenerationRequested.class);
            assertThat(request.jobId()).isEqualTo(newId);
            assertThat(request.withJobId(job, request.requestedAt())).isEqualTo(original);
        }
    }

    @Test
    void replayByReasonSkipsPoisonUnlessForcedAndDryRunProducesNothing() {
        String reason = unique("poison");
        String good = UUID.randomUUID().toString();
        RecordMetadata valid = deadLetter(good, request(good), reason, "shape checked later", null);
        RecordMetadata notJson = deadLetter(UUID.randomUUID().toString(), "{{{".getBytes(StandardCharsets.UTF_8),
                reason, "not JSON", null);
        RecordMetadata tooBig = deadLetter(UUID.randomUUID().toString(),
                ("{\"prompt\":\"" + "x".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8), reason, "huge",
                null);
        Map<TopicPartition, Long> before = endOffsets(Topics.REQUESTS);

        Run dry = dlq("replay", "--reason", reason, "--dry-run");
        assertThat(dry.exitCode()).isZero();
        assertThat(dry.out()).contains("would replay " + valid.partition() + ":" + valid.offset());
        assertThat(dry.lines()).last().asString().startsWith("replay: selected=3 replayed=0 skipped=2");
        assertThat(readToEnd(Topics.REQUESTS, before)).isEmpty();

        Run replay = dlq("replay", "--reason", reason);
        assertThat(replay.out()).contains(
                "skipped      " + notJson.partition() + ":" + notJson.offset(), "value is not JSON",
                "skipped      " + tooBig.partition() + ":" + tooBig.offset(), "--force");
        assertThat(replay.lines()).last().isEqualTo("replay: selected=3 replayed=1 skipped=2");
        assertThat(readToEnd(Topics.REQUESTS, before)).singleElement().satisfies(r -> {
            GenerationRequested replayed = EventJson.fromBytes(r.value(), GenerationRequested.class);
            assertThat(replayed.withJobId(good, replayed.requestedAt()))
                    .isEqualTo(EventJson.fromBytes(request(good), GenerationRequested.class));
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(replayed.jobId()).isNotEqualTo(good);
        });

        Map<TopicPartition, Long> beforeForced = endOffsets(Topics.REQUESTS);
        Run forced = dlq("replay", "--id", notJson.partition() + ":" + notJson.offset(), "--force");
        assertThat(forced.lines()).last().isEqualTo("replay: selected=1 replayed=1 skipped=0");
        assertThat(readToEnd(Topics.REQUESTS, beforeForced)).singleElement()
                .satisfies(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{{{"));
    }

    @Test
    void replayWithoutASelectionIsAUsageError() {
        Map<TopicPartition, Long> before = endOffsets(Topics.REQUESTS);
        Run run = dlq("replay");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--all");
        assertThat(readToEnd(Topics.REQUESTS, before)).isEmpty();
        assertThat(dlq("list", "--since", "last tuesday").exitCode()).isEqualTo(2);
    }

    @Test
    void anUnreachableBrokerIsOneLineAndExitCode1() {
        Run run = DlqCommandTest.run("list", "--bootstrap", "127.0.0.1:1", "--timeout", "2");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("dlq: Kafka at 127.0.0.1:1").doesNotContain("\tat ");
    }

    // ------------------------------------------------------------------ helpers

    private static Run dlq(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap");
        all.add(stack.bootstrapServers());
        return run(all.toArray(String[]::new));
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DlqCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String unique(String reason) {
        return reason + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] request(String jobId) {
        return EventJson.toBytes(new GenerationRequested(jobId, "a red fox", null, 512, 512, 20, 7.5, 42L, null, 1,
                "tiny-random", Instant.parse("2026-11-26T12:00:00Z")));
    }

    /** A dead-letter record as the worker writes it: the request's own headers plus SmallRye's and ours. */
    private static RecordMetadata deadLetter(String key, byte[] value, String reason, String message,
                                             Instant timestamp) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, Headers.CONTENT_TYPE, Headers.JSON);
        add(headers, Headers.CE_SPECVERSION, "1.0");
        add(headers, Headers.CE_ID, UUID.randomUUID().toString());
        add(headers, Headers.CE_TYPE, Headers.TYPE_REQUESTED);
        add(headers, Headers.CE_SOURCE, "/sdq/dispatcher/test");
        add(headers, Headers.TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        add(headers, "delayed-retry-count", "2");
        add(headers, "delayed-retry-original-timestamp", "1764158400000");
        add(headers, "delayed-retry-topic", Topics.retry(60_000));
        add(headers, "dead-letter-exception-class-name", "dev.sdqueue.worker.InvalidJobException");
        add(headers, "dead-letter-reason", message);
        add(headers, "dead-letter-topic", Topics.REQUESTS);
        add(headers, "dead-letter-partition", "0");
        add(headers, "dead-letter-offset", "12");
        add(headers, Headers.DLQ_REASON, reason);
        add(headers, Headers.DLQ_MESSAGE, message);
        Long millis = timestamp == null ? null : timestamp.toEpochMilli();
        try {
            return producer.send(new ProducerRecord<>(Topics.DEAD_LETTER, null, millis,
                    key.getBytes(StandardCharsets.UTF_8), value, headers)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to the DLQ", e);
        }
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            return consumer.endOffsets(partitions, Duration.ofSeconds(10));
        }
    }

    /** Records of {@code topic} after {@code from}, up to the end offsets as of now. */
    private static List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic, Map<TopicPartition, Long> from) {
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> end = consumer.endOffsets(from.keySet(), Duration.ofSeconds(10));
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                assertThat(System.nanoTime()).as("reading " + topic + " in time").isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }
}
