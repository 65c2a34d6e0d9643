package dev.sdqueue.loadtests.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The preload's records are what the dispatcher and the worker write: they parse with the contract's mapping into the
 * right records, carry exactly the real producers' CloudEvents headers (the worker's terminal-state index filters on
 * {@code ce_type}), are keyed and partitioned by job id, and their times lie in the history's window.
 */
class HistoryJobsTest {
    private static final Instant END = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration SPAN = Duration.ofHours(20);
    private static final List<String> REQUEST_HEADERS = List.of("content-type", "ce_specversion", "ce_id", "ce_type",
            "ce_source", "ce_subject", "ce_time", "traceparent");
    private static final List<String> EVENT_HEADERS = List.of("ce_specversion", "ce_id", "ce_type", "ce_source",
            "ce_subject", "ce_datacontenttype", "content-type", "ce_time", "traceparent");

    private final HistoryJobs history = new HistoryJobs(10_000, 3, 2, END, SPAN, 7);

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static List<String> headerKeys(ProducerRecord<byte[], byte[]> record) {
        return java.util.Arrays.stream(record.headers().toArray()).map(Header::key).toList();
    }

    @Test
    void eachJobIsARequestThenStartedProgressAndCompletedKeyedAndPartitionedByItsId() throws Exception {
        for (long index : new long[] {0, 1, 4_999, 9_999}) {
            String jobId = history.jobId(index);
            List<ProducerRecord<byte[], byte[]>> records = history.records(index);

            assertThat(records).hasSize(history.recordsPerJob()).hasSize(5);
            assertThat(records).extracting(ProducerRecord::topic).containsExactly(Topics.REQUESTS, Topics.EVENTS,
                    Topics.EVENTS, Topics.EVENTS, Topics.EVENTS);
            int partition = HistoryJobs.partitionOf(jobId, 3);
            for (ProducerRecord<byte[], byte[]> record : records) {
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(jobId);
                assertThat(record.partition()).isEqualTo(partition);
            }
            GenerationRequested request = EventJson.fromBytes(records.get(0).value(), GenerationRequested.class);
            assertThat(request.jobId()).isEqualTo(jobId);
            assertThat(request.prompt()).isNotBlank();
            assertThat(request.width()).isIn(512, 768);
            assertThat(request.steps()).isIn(20, 25, 30);
            assertThat(request.numImages()).isEqualTo(1);
            assertThat(request.requestedAt()).isNotNull();

            List<GenerationEvent> events = records.subList(1, 5).stream().map(r -> parse(r.value())).toList();
            assertThat(events).extracting(GenerationEvent::type).containsExactly("started", "progress", "progress",
                    "completed");
            assertThat(events).allSatisfy(e -> {
                assertThat(e.jobId()).isEqualTo(jobId);
                assertThat(e.attempt()).isEqualTo(1);
            });
            GenerationEvent.Started started = (GenerationEvent.Started) events.get(0);
            GenerationEvent.Progress last = (GenerationEvent.Progress) events.get(2);
            assertThat(last.step()).isEqualTo(last.totalSteps()).isEqualTo(request.steps());
            GenerationEvent.Completed completed = (GenerationEvent.Completed) events.get(3);
            assertThat(completed.worker()).isEqualTo(started.worker());
            assertThat(completed.timings()).containsKeys("totalMs", "denoiseMs", "uploadMs", "inferenceMs");
            assertThat(completed.images()).hasSize(1);
            ImageRef image = completed.images().get(0);
            assertThat(image.url()).startsWith("https://sdq-images.s3.").contains(jobId).contains("X-Amz-Signature=");
            assertThat(image.url().length()).isBetween(600, 800);
            assertThat(image.key()).isEqualTo("generations/" + jobId + "/0.png");
            assertThat(image.width()).isEqualTo(request.width());
            assertThat(completed.at()).isAfter(started.at());
        }
    }

    private static GenerationEvent parse(byte[] value) {
        try {
            return EventJson.fromBytes(value, GenerationEvent.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void headersAreExactlyTheDispatchersAndTheWorkersCloudEvents() throws Exception {
        String jobId = history.jobId(42);
        List<ProducerRecord<byte[], byte[]>> records = history.records(42);

        ProducerRecord<byte[], byte[]> request = records.get(0);
        assertThat(headerKeys(request)).containsExactlyElementsOf(REQUEST_HEADERS);
        assertThat(header(request, Headers.CE_TYPE)).isEqualTo(Headers.TYPE_REQUESTED);
        assertThat(header(request, "content-type")).isEqualTo("application/json");
        assertThat(header(request, Headers.CE_SPECVERSION)).isEqualTo("1.0");
        assertThat(header(request, Headers.CE_SOURCE)).matches("/sdq/dispatcher/[0-9a-f]{8}");

        for (ProducerRecord<byte[], byte[]> event : records.subList(1, records.size())) {
            GenerationEvent parsed = parse(event.value());
            assertThat(headerKeys(event)).containsExactlyElementsOf(EVENT_HEADERS);
            assertThat(header(event, Headers.CE_TYPE)).isEqualTo(Headers.eventType(parsed.type()));
            assertThat(header(event, "ce_datacontenttype")).isEqualTo("application/json");
            assertThat(header(event, Headers.CE_SOURCE)).isEqualTo("/sdq/worker/"
                    + ((GenerationEvent.Started) parse(records.get(1).value())).worker());
            // ce_time is the event's own instant, the record's CreateTime its millisecond
            assertThat(Instant.parse(header(event, Headers.CE_TIME))).isEqualTo(parsed.at());
            assertThat(event.timestamp()).isEqualTo(parsed.at().toEpochMilli());
        }
        for (ProducerRecord<byte[], byte[]> record : records) {
            assertThat(header(record, "ce_subject")).isEqualTo(jobId);
            assertThat(UUID.fromString(header(record, Headers.CE_ID))).isNotNull();
            assertThat(header(record, Headers.TRACEPARENT)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
            assertThat(Instant.parse(header(record, Headers.CE_TIME))).isNotNull();
        }
        // one trace per job, one span per record
        assertThat(records).extracting(r -> header(r, Headers.TRACEPARENT).substring(3, 35)).containsOnly(
                header(request, Headers.TRACEPARENT).substring(3, 35));
    }

    @Test
    void theJsonIsWhatTheContractsMappingWritesForTheSameRecords() throws Exception {
        for (long index = 0; index < 200; index++) {
            List<ProducerRecord<byte[], byte[]>> records = history.records(index);
            GenerationRequested request = EventJson.fromBytes(records.get(0).value(), GenerationRequested.class);
            assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(EventJson.toBytes(request), StandardCharsets.UTF_8));
            for (ProducerRecord<byte[], byte[]> event : records.subList(1, records.size())) {
                GenerationEvent parsed = parse(event.value());
                JsonNode written = EventJson.mapper().readTree(event.value());
                JsonNode canonical = EventJson.mapper().readTree(EventJson.toBytes(parsed));
                assertThat(written).isEqualTo(canonical); // same fields and values (timings' order may differ)
                if (!(parsed instanceof GenerationEvent.Completed)) {
                    assertThat(new String(event.value(), StandardCharsets.UTF_8))
                            .isEqualTo(new String(EventJson.toBytes(parsed), StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void sizesAreRealistic() {
        long requestBytes = 0;
        long eventBytes = 0;
        for (long index = 0; index < 1000; index++) {
            List<ProducerRecord<byte[], byte[]>> records = history.records(index);
            requestBytes += HistoryPreload.size(records.get(0));
            for (ProducerRecord<byte[], byte[]> event : records.subList(1, records.size())) {
                eventBytes += HistoryPreload.size(event);
            }
        }
        // the dispatcher's request record: ~200-400 B of JSON, 36 B key, ~310 B of headers
        assertThat(requestBytes / 1000).isBetween(500L, 800L);
        // started + 2 progress (~140 B JSON + ~345 B headers each) + completed (~1.2 KB JSON with the URL)
        assertThat(eventBytes / 1000).isBetween(2_800L, 3_600L);
    }

    @Test
    void idsAreDistinctVersion4UuidsThatDependOnlyOnSeedAndIndex() {
        Set<String> ids = new HashSet<>();
        for (long i = 0; i < 10_000; i++) {
            String id = history.jobId(i);
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.toString()).isEqualTo(id);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
        assertThat(history.copy().jobId(1234)).isEqualTo(history.jobId(1234));
        assertThat(new HistoryJobs(10_000, 3, 2, END, SPAN, 8).jobId(1234)).isNotEqualTo(history.jobId(1234));
        assertThat(new String(history.records(1234).get(0).key(), StandardCharsets.UTF_8))
                .isEqualTo(history.jobId(1234));
    }

    @Test
    void createTimesSpanTheWindowInJobOrder() {
        long first = history.records(0).get(0).timestamp();
        long last = history.records(9_999).get(4).timestamp();
        assertThat(first).isBetween(END.minus(SPAN).toEpochMilli(), END.minus(SPAN).plusSeconds(5).toEpochMilli());
        assertThat(last).isBetween(END.minusSeconds(60).toEpochMilli(), END.plusSeconds(30).toEpochMilli());
        long previous = 0;
        for (long i = 0; i < 10_000; i += 100) {
            long requested = history.requestedAtMillis(i);
            assertThat(requested).isGreaterThanOrEqualTo(previous);
            previous = requested;
            List<ProducerRecord<byte[], byte[]>> records = history.records(i);
            for (int k = 1; k < records.size(); k++) {
                assertThat(records.get(k).timestamp()).isGreaterThanOrEqualTo(records.get(k - 1).timestamp());
            }
        }
    }

    @Test
    void theLateJobsAreTheLastOfEachPartition() {
        long[] last = history.lastJobPerPartition();
        assertThat(last).hasSize(3);
        assertThat(java.util.Arrays.stream(last).boxed().toList()).allSatisfy(index -> assertThat(index)
                .isBetween(9_900L, 9_999L));
        for (int p = 0; p < 3; p++) {
            assertThat(HistoryJobs.partitionOf(history.jobId(last[p]), 3)).isEqualTo(p);
            for (long later = last[p] + 1; later < 10_000; later++) {
                assertThat(HistoryJobs.partitionOf(history.jobId(later), 3)).isNotEqualTo(p);
            }
        }
        assertThat(new HistoryJobs(0, 3, 2, END, SPAN, 7).lastJobPerPartition()).containsExactly(-1, -1, -1);
    }

    @Test
    void partitionIsKafkasDefaultPartitionerForTheKey() {
        // Utils.murmur2 of the key, as BuiltInPartitioner.partitionForKey computes it for the dispatcher's records
        for (long i = 0; i < 100; i++) {
            byte[] key = history.jobId(i).getBytes(StandardCharsets.UTF_8);
            assertThat(HistoryJobs.partitionOf(history.jobId(i), 6)).isEqualTo(
                    org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(key, 6));
        }
    }

    @Test
    void textHelpersMatchTheJdk() {
        IsoText text = new IsoText();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 20_000; i++) {
            long second = 1_700_000_000L + random.nextLong(200_000_000L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            assertThat(text.instant(new StringBuilder(), second, nanos).toString())
                    .isEqualTo(Instant.ofEpochSecond(second, nanos).toString());
            long micros = random.nextLong(10_000_000_000L);
            assertThat(IsoText.millis(new StringBuilder(), micros).toString()).isEqualTo(Double.toString(micros
                    / 1000.0));
            UUID uuid = new UUID(random.nextLong(), random.nextLong());
            assertThat(IsoText.uuid(new StringBuilder(), uuid.getMostSignificantBits(),
                    uuid.getLeastSignificantBits()).toString()).isEqualTo(uuid.toString());
        }
        assertThat(text.amzDate(new StringBuilder(), Instant.parse("2026-12-06T14:16:47Z").getEpochSecond())
                .toString()).isEqualTo("20261206T141647Z");
        assertThat(IsoText.jsonString(new StringBuilder(), "a \"quoted\" \\ path").toString())
                .isEqualTo("\"a \\\"quoted\\\" \\\\ path\"");
    }
}
