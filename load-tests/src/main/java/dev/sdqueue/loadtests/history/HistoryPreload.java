package dev.sdqueue.loadtests.history;

import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts a {@link HistoryJobs} history on a broker as fast as one plain {@link KafkaProducer} fed by a few threads can
 * (256 KiB batches, a linger, {@code acks=1}, no compression: the records are the real producers' and stay as they
 * would be on disk), printing progress, then commits the workers' consumer group at the log end of the request and retry topics so the
 * history counts as processed.
 */
final class HistoryPreload {
    /** What the preload wrote, for the report. */
    record Result(long jobs, long records, long requestRecords, long eventRecords, long bytes, double seconds,
                  long diskBytes, Map<String, Long> committedOffsets) {
        double recordsPerSecond() {
            return seconds > 0 ? records / seconds : 0;
        }

        double megabytesPerSecond() {
            return seconds > 0 ? bytes / seconds / (1 << 20) : 0;
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("jobs", jobs);
            map.put("records", records);
            map.put("requestRecords", requestRecords);
            map.put("eventRecords", eventRecords);
            map.put("bytes", bytes);
            map.put("bytesPerJob", jobs == 0 ? 0 : bytes / jobs);
            map.put("seconds", round(seconds));
            map.put("recordsPerSecond", Math.round(recordsPerSecond()));
            map.put("megabytesPerSecond", round(megabytesPerSecond()));
            map.put("brokerDiskBytes", diskBytes);
            map.put("committedOffsets", committedOffsets);
            return map;
        }
    }

    private HistoryPreload() {
    }

    /** Jobs per block: the threads take turns by block, so each partition's CreateTimes stay nearly in order. */
    static final int BLOCK = 1024;

    /**
     * Sends every record of {@code history} from {@code threads} threads through one producer (thread t sends the
     * blocks of {@link #BLOCK} jobs numbered t, t + threads, ...), waits until all are acknowledged, then commits
     * {@link Topics#WORKER_GROUP} at the end of {@code groupTopics}. Throws on the first failed send.
     */
    static Result run(String bootstrapServers, HistoryJobs history, int threads, List<String> groupTopics,
                      Path kafkaDataDir, PrintStream out) throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sdq-bench-history-preload");
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        // 256 KiB: a 1 MiB batch is a humongous object for G1 in a 1 GiB heap (measured: twice the GC pauses).
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 << 10);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong records = new AtomicLong();
        AtomicLong requestRecords = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong jobsSent = new AtomicLong();
        long total = history.jobs() * history.recordsPerJob();
        out.printf(Locale.ROOT, "preload: %,d jobs = %,d records (%d per job) on %d partitions, %d threads ...%n",
                history.jobs(), total, history.recordsPerJob(), history.partitions(), threads);
        long begin = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                HistoryJobs own = history.copy();
                Thread sender = new Thread(() -> {
                    // A sender that dies (a thrown send, an OutOfMemoryError) must fail the preload, not shorten it.
                    try {
                        long[] counters = new long[3]; // records, request records, bytes
                        for (long block = first; block * BLOCK < own.jobs() && failure.get() == null;
                                block += threads) {
                            long end = Math.min(own.jobs(), (block + 1) * BLOCK);
                            for (long i = block * BLOCK; i < end; i++) {
                                own.forEachRecord(i, record -> {
                                    counters[0]++;
                                    if (Topics.REQUESTS.equals(record.topic())) {
                                        counters[1]++;
                                    }
                                    counters[2] += size(record);
                                    producer.send(record, (metadata, error) -> {
                                        if (error != null) {
                                            failure.compareAndSet(null, error);
                                        } else {
                                            acknowledged.incrementAndGet();
                                        }
                                    });
                                });
                            }
                            jobsSent.addAndGet(end - block * BLOCK);
                            records.addAndGet(counters[0]);
                            requestRecords.addAndGet(counters[1]);
                            bytes.addAndGet(counters[2]);
                            java.util.Arrays.fill(counters, 0);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e instanceof Exception ex ? ex : new RuntimeException(e));
                    }
                }, "sdq-bench-preload-" + t);
                sender.setDaemon(true);
                sender.start();
                senders.add(sender);
            }
            long lastPrint = begin;
            long lastRecords = 0;
            for (Thread sender : senders) {
                while (sender.isAlive()) {
                    sender.join(500);
                    long now = System.nanoTime();
                    if (now - lastPrint >= 5_000_000_000L) {
                        long sent = records.get();
                        out.printf(Locale.ROOT, "preload: %,d / %,d jobs (%.1f%%), %,d records, %.2f GB, %,.0f records/s"
                                        + " (last 5 s: %,.0f/s), load %s%n", jobsSent.get(), history.jobs(),
                                100.0 * jobsSent.get() / Math.max(1, history.jobs()), sent, bytes.get() / 1e9,
                                sent / ((now - begin) / 1e9), (sent - lastRecords) / ((now - lastPrint) / 1e9),
                                MachineLoad.loadAverage());
                        lastPrint = now;
                        lastRecords = sent;
                    }
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("preload: a send failed: " + failure.get(), failure.get());
        }
        if (jobsSent.get() != history.jobs()) {
            throw new IllegalStateException("preload: " + jobsSent.get() + " of " + history.jobs() + " jobs sent");
        }
        if (acknowledged.get() != records.get()) {
            throw new IllegalStateException("preload: " + acknowledged.get() + " of " + records.get()
                    + " acknowledged");
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        Map<String, Long> committed = commitAtEnd(bootstrapServers, groupTopics);
        Result result = new Result(history.jobs(), records.get(), requestRecords.get(),
                records.get() - requestRecords.get(), bytes.get(), seconds, directorySize(kafkaDataDir), committed);
        out.printf(Locale.ROOT, "preload: done: %,d jobs, %,d records, %.2f GB in %.1f s = %,.0f records/s, %.1f MB/s;"
                        + " broker log segments %.2f GB; %s committed at the log end of %d partitions%n",
                result.jobs(), result.records(), result.bytes() / 1e9, seconds, result.recordsPerSecond(),
                result.megabytesPerSecond(), result.diskBytes() / 1e9, Topics.WORKER_GROUP, committed.size());
        return result;
    }

    /** Key + value + header keys and values: what the record carries (the batch framing is not counted). */
    static long size(ProducerRecord<byte[], byte[]> record) {
        long size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0
                : record.value().length);
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    /**
     * Commits {@link Topics#WORKER_GROUP} at the current end of every partition of {@code topics} (the group has no
     * member yet), so a worker starting later sees the history as processed. Returns the offsets by partition.
     */
    static Map<String, Long> commitAtEnd(String bootstrapServers, List<String> topics) throws Exception {
        try (Admin admin = admin(bootstrapServers)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var description : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                description.partitions().forEach(p -> latest.put(new TopicPartition(description.name(),
                        p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(Topics.WORKER_GROUP, offsets).all().get(30, TimeUnit.SECONDS);
            Map<String, Long> byPartition = new java.util.TreeMap<>();
            offsets.forEach((tp, offset) -> byPartition.put(tp.toString(), offset.offset()));
            return byPartition;
        }
    }

    static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "sdq-bench-history-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    /** Bytes of the log segments ({@code *.log}) under {@code dir}: the records on disk, not the preallocated indexes. */
    static long directorySize(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(file -> file.toString().endsWith(".log") && Files.isRegularFile(file)).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0; // a segment deleted meanwhile
                }
            }).sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
