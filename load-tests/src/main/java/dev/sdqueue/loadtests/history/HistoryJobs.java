package dev.sdqueue.loadtests.history;

import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;

/**
 * A deterministic history of {@code jobs} finished jobs, the records the real dispatcher and worker would have
 * written for them: per job a {@code GenerationRequested} on {@link Topics#REQUESTS}, then {@code started},
 * {@code progressEvents} {@code progress} events and {@code completed} (one image with a ~700-character presigned
 * URL, as AWS S3 signs it with temporary credentials) on {@link Topics#EVENTS}. Keys are the job ids; every record
 * carries exactly the CloudEvents binary-mode headers the dispatcher ({@code content-type}, {@code ce_specversion},
 * {@code ce_id}, {@code ce_type}, {@code ce_source}, {@code ce_subject}, {@code ce_time}, {@code traceparent}) or the
 * worker (the same plus {@code ce_datacontenttype}) write, in their order. The partition is the one Kafka's default
 * partitioner picks for the key. Job {@code i} was requested at {@code start + i * span / jobs} (its records'
 * CreateTime a few seconds later), so the history spans {@code span} and ends at {@code end}.
 *
 * <p>Job {@code i}'s id is a function of {@code i} alone, so any history id can be named again without keeping 5 M
 * strings ({@link #jobId}); every job ends {@code succeeded}.
 */
public final class HistoryJobs {
    private static final byte[] JSON = Headers.JSON.getBytes(StandardCharsets.UTF_8);
    private static final byte[] SPEC = Headers.CE_SPECVERSION_VALUE.getBytes(StandardCharsets.UTF_8);
    private static final byte[] TYPE_REQUESTED = Headers.TYPE_REQUESTED.getBytes(StandardCharsets.UTF_8);
    private static final byte[] TYPE_STARTED = Headers.eventType(GenerationEvent.STARTED)
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] TYPE_PROGRESS = Headers.eventType(GenerationEvent.PROGRESS)
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] TYPE_COMPLETED = Headers.eventType(GenerationEvent.COMPLETED)
            .getBytes(StandardCharsets.UTF_8);
    private static final String CE_SUBJECT = "ce_subject";
    private static final String CE_DATACONTENTTYPE = "ce_datacontenttype";
    private static final int WORKERS = 24;
    private static final int DISPATCHERS = 4;
    private static final String[] PROMPTS = {
            "a lighthouse at dusk, oil painting",
            "a cat wearing a hat in Van Gogh style",
            "portrait of an old fisherman, dramatic lighting, 85mm photograph, highly detailed, sharp focus",
            "isometric cutaway of a tiny cozy library inside a tree trunk, warm light, digital art, trending on artstation",
            "a red fox in a snowy birch forest at sunrise",
            "futuristic city skyline at night, neon reflections on wet streets, cinematic, volumetric fog, ultra wide"
                    + " angle, 8k",
            "watercolor map of an imaginary archipelago with small villages and sailing ships",
            "macro photo of a dew drop on a spider web",
            "an astronaut riding a horse on the moon, photorealistic",
            "still life with lemons, a copper kettle and a blue cloth, Dutch golden age painting, chiaroscuro",
            "a steaming bowl of ramen, studio food photography",
            "low-poly 3d render of a mountain lake with pine trees and a wooden cabin, soft pastel colors",
    };
    private static final String[] NEGATIVES = {
            "blurry, low quality, watermark, text",
            "deformed hands, extra fingers, lowres, jpeg artifacts, signature, cropped, out of frame",
    };
    private static final String[] SCHEDULERS = {null, null, "euler_a", "dpmpp_2m_karras", "ddim"};
    private static final int[][] SIZES = {{512, 512}, {512, 512}, {768, 768}, {512, 768}};
    private static final int[] STEPS = {20, 20, 25, 30};
    private static final String REGION = "eu-west-1";
    private static final String BUCKET = "sdq-images";

    private final long jobs;
    private final int partitions;
    private final int progressEvents;
    private final long startMillis;
    private final long spanMillis;
    private final long seed;
    private final String[] workerTokens = new String[WORKERS];
    private final String[] workerKeyIds = new String[WORKERS];
    private final String[] workerIds = new String[WORKERS];
    private final byte[][] workerSources = new byte[WORKERS][];
    private final byte[][] dispatcherSources = new byte[DISPATCHERS][];
    private final IsoText text = new IsoText();
    private final StringBuilder buffer = new StringBuilder(2048);
    private final StringBuilder scratch = new StringBuilder(1024);

    /**
     * @param jobs           how many jobs of history
     * @param partitions     partitions of the request and event topics (the key's partition is computed here)
     * @param progressEvents {@code progress} events per job (between {@code started} and {@code completed})
     * @param end            when the history ends (the last job's request); its start is {@code end - span}
     * @param span           how long the history lasts
     * @param seed           picks the job ids and every random detail; the same seed gives the same history
     */
    public HistoryJobs(long jobs, int partitions, int progressEvents, Instant end, Duration span, long seed) {
        if (jobs < 0 || partitions < 1 || progressEvents < 0 || span.isNegative()) {
            throw new IllegalArgumentException("jobs >= 0, partitions >= 1, progressEvents >= 0, span >= 0");
        }
        this.jobs = jobs;
        this.partitions = partitions;
        this.progressEvents = progressEvents;
        this.spanMillis = span.toMillis();
        this.startMillis = end.toEpochMilli() - spanMillis;
        this.seed = seed;
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int d = 0; d < DISPATCHERS; d++) {
            StringBuilder source = IsoText.hex(new StringBuilder("/sdq/dispatcher/"), mix(seed + 7 * d), 8);
            dispatcherSources[d] = source.toString().getBytes(StandardCharsets.US_ASCII);
        }
        for (int w = 0; w < WORKERS; w++) {
            workerIds[w] = "worker-" + w;
            workerSources[w] = ("/sdq/worker/" + workerIds[w]).getBytes(StandardCharsets.US_ASCII);
            workerKeyIds[w] = "ASIA" + randomText(random, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
            // An STS session token as it appears URL-encoded in a presigned URL.
            StringBuilder token = new StringBuilder("IQoJb3JpZ2luX2VjE");
            String base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            while (token.length() < 372) {
                int pick = random.nextInt(base64.length() + 6);
                token.append(pick < base64.length() ? String.valueOf(base64.charAt(pick)) : pick % 2 == 0 ? "%2F"
                        : "%2B");
            }
            workerTokens[w] = token.append("%3D%3D").toString();
        }
    }

    /** The same history with buffers of its own (one per preload thread: an instance is not thread-safe). */
    public HistoryJobs copy() {
        return new HistoryJobs(jobs, partitions, progressEvents, Instant.ofEpochMilli(startMillis + spanMillis),
                Duration.ofMillis(spanMillis), seed);
    }

    public long jobs() {
        return jobs;
    }

    public int partitions() {
        return partitions;
    }

    /** Records per job: the request, {@code started}, the progress events, {@code completed}. */
    public int recordsPerJob() {
        return 3 + progressEvents;
    }

    /** Job {@code index}'s id: a random-looking version 4 UUID that depends only on the seed and the index. */
    public String jobId(long index) {
        StringBuilder out = new StringBuilder(36);
        appendJobId(out, index);
        return out.toString();
    }

    private void appendJobId(StringBuilder out, long index) {
        long msb = mix(seed + 2 * index);
        long lsb = mix(seed + 2 * index + 1);
        msb = (msb & ~0xF000L) | 0x4000L; // version 4
        lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        IsoText.uuid(out, msb, lsb);
    }

    /** The partition Kafka's default partitioner gives a record keyed {@code jobId} (murmur2 of the UTF-8 key). */
    public static int partitionOf(String jobId, int partitions) {
        return Utils.toPositive(Utils.murmur2(jobId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** When job {@code index} was requested (epoch ms). */
    public long requestedAtMillis(long index) {
        return jobs == 0 ? startMillis : startMillis + (long) ((double) spanMillis * index / jobs);
    }

    /**
     * For each partition, the index of the last job keyed to it (-1 if none): the latest history every replica must
     * serve ({@code lastJobPerPartition()[p]} is among the last records of partition {@code p} of both topics).
     */
    public long[] lastJobPerPartition() {
        long[] last = new long[partitions];
        java.util.Arrays.fill(last, -1);
        int found = 0;
        for (long i = jobs - 1; i >= 0 && found < partitions && i >= jobs - 1_000_000; i--) {
            int p = partitionOf(jobId(i), partitions);
            if (last[p] < 0) {
                last[p] = i;
                found++;
            }
        }
        return last;
    }

    /** Job {@code index}'s records in the order they were written: request, started, progress..., completed. */
    public List<ProducerRecord<byte[], byte[]>> records(long index) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(recordsPerJob());
        forEachRecord(index, records::add);
        return records;
    }

    /** The same as {@link #records}, handed over one by one (the preload's path: no list per job). */
    public void forEachRecord(long index, Consumer<ProducerRecord<byte[], byte[]>> sink) {
        SplittableRandom random = new SplittableRandom(mix(seed ^ (index * 0x9E3779B97F4A7C15L)));
        buffer.setLength(0);
        appendJobId(buffer, index);
        String jobId = buffer.toString();
        byte[] key = jobId.getBytes(StandardCharsets.US_ASCII);
        int partition = Utils.toPositive(Utils.murmur2(key)) % partitions;
        long traceHigh = random.nextLong();
        long traceLow = random.nextLong();

        // The request, as the dispatcher writes it (defaults applied, requestedAt in ms).
        long requestedMs = requestedAtMillis(index) + random.nextInt(1000);
        int[] size = SIZES[random.nextInt(SIZES.length)];
        int steps = STEPS[random.nextInt(STEPS.length)];
        String scheduler = SCHEDULERS[random.nextInt(SCHEDULERS.length)];
        String prompt = PROMPTS[random.nextInt(PROMPTS.length)];
        String negative = random.nextInt(3) == 0 ? NEGATIVES[random.nextInt(NEGATIVES.length)] : null;
        Long requestSeed = random.nextBoolean() ? (long) random.nextInt(Integer.MAX_VALUE) : null;
        long imageSeed = requestSeed != null ? requestSeed : random.nextLong() & ((1L << 53) - 1);
        buffer.setLength(0);
        buffer.append("{\"jobId\":\"").append(jobId).append("\",\"prompt\":");
        IsoText.jsonString(buffer, prompt);
        if (negative != null) {
            buffer.append(",\"negativePrompt\":");
            IsoText.jsonString(buffer, negative);
        }
        buffer.append(",\"width\":").append(size[0]).append(",\"height\":").append(size[1]).append(",\"steps\":")
                .append(steps).append(",\"guidanceScale\":7.5");
        if (requestSeed != null) {
            buffer.append(",\"seed\":").append(requestSeed);
        }
        if (scheduler != null) {
            buffer.append(",\"scheduler\":\"").append(scheduler).append('"');
        }
        buffer.append(",\"numImages\":1,\"requestedAt\":\"");
        text.instant(buffer, Math.floorDiv(requestedMs, 1000), (int) Math.floorMod(requestedMs, 1000) * 1_000_000);
        buffer.append("\"}");
        long requestCreateMs = requestedMs + 2 + random.nextInt(10);
        RecordHeaders headers = new RecordHeaders(new Header[] {
                new RecordHeader(Headers.CONTENT_TYPE, JSON),
                new RecordHeader(Headers.CE_SPECVERSION, SPEC),
                new RecordHeader(Headers.CE_ID, randomUuid(random)),
                new RecordHeader(Headers.CE_TYPE, TYPE_REQUESTED),
                new RecordHeader(Headers.CE_SOURCE, dispatcherSources[random.nextInt(DISPATCHERS)]),
                new RecordHeader(CE_SUBJECT, key),
                new RecordHeader(Headers.CE_TIME, instantBytes(requestCreateMs, random)),
                new RecordHeader(Headers.TRACEPARENT, traceparent(traceHigh, traceLow, random))});
        sink.accept(new ProducerRecord<>(Topics.REQUESTS, partition, requestCreateMs, key, ascii(buffer), headers));

        // The worker's events.
        int worker = random.nextInt(WORKERS);
        String workerId = workerIds[worker];
        byte[] source = workerSources[worker];
        long startedNanos = (requestCreateMs + 150 + random.nextInt(2500)) * 1_000_000L + random.nextInt(1_000_000);
        long stepNanos = (60 + random.nextInt(40)) * 1_000_000L * size[0] * size[1] / (512 * 512);
        long denoiseNanos = stepNanos * steps;
        buffer.setLength(0);
        buffer.append("{\"jobId\":\"").append(jobId).append("\",\"type\":\"started\",\"at\":\"");
        instant(buffer, startedNanos).append("\",\"attempt\":1,\"worker\":\"").append(workerId).append("\"}");
        sink.accept(event(partition, key, startedNanos, TYPE_STARTED, source, traceHigh, traceLow, random));

        for (int k = 1; k <= progressEvents; k++) {
            int step = (int) Math.max(1, (long) steps * k / progressEvents);
            long at = startedNanos + 20_000_000L + stepNanos * step + random.nextInt(1_000_000);
            buffer.setLength(0);
            buffer.append("{\"jobId\":\"").append(jobId).append("\",\"type\":\"progress\",\"at\":\"");
            instant(buffer, at).append("\",\"attempt\":1,\"step\":").append(step).append(",\"totalSteps\":")
                    .append(steps).append('}');
            sink.accept(event(partition, key, at, TYPE_PROGRESS, source, traceHigh, traceLow, random));
        }

        long textEncoderMicros = 9_000 + random.nextInt(4_000);
        long vaeMicros = 70_000 + random.nextInt(30_000);
        long pngMicros = 40_000 + random.nextInt(30_000);
        long uploadMicros = 25_000 + random.nextInt(90_000);
        long inferenceMicros = textEncoderMicros + denoiseNanos / 1000 + vaeMicros;
        long totalMicros = inferenceMicros + pngMicros + 300 + random.nextInt(200);
        long completedNanos = startedNanos + 20_000_000L + (totalMicros + uploadMicros) * 1000
                + random.nextInt(1_000_000);
        long signedAt = Math.floorDiv(completedNanos, 1_000_000_000L);
        buffer.setLength(0);
        buffer.append("{\"jobId\":\"").append(jobId).append("\",\"type\":\"completed\",\"at\":\"");
        instant(buffer, completedNanos).append("\",\"attempt\":1,\"images\":[{\"url\":\"https://").append(BUCKET)
                .append(".s3.").append(REGION).append(".amazonaws.com/generations/").append(jobId)
                .append("/0.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=").append(workerKeyIds[worker])
                .append("%2F");
        text.amzDay(buffer, signedAt).append("%2F").append(REGION).append("%2Fs3%2Faws4_request&X-Amz-Date=");
        text.amzDate(buffer, signedAt).append("&X-Amz-Expires=86400&X-Amz-Security-Token=")
                .append(workerTokens[worker]).append("&X-Amz-SignedHeaders=host&X-Amz-Signature=");
        for (int h = 0; h < 4; h++) {
            IsoText.hex(buffer, random.nextLong(), 16);
        }
        buffer.append("\",\"bucket\":\"").append(BUCKET).append("\",\"key\":\"generations/").append(jobId)
                .append("/0.png\",\"width\":").append(size[0]).append(",\"height\":").append(size[1])
                .append(",\"seed\":").append(imageSeed).append(",\"contentType\":\"image/png\"}],\"timings\":{");
        timing(buffer, "denoiseMs", denoiseNanos / 1000, true);
        timing(buffer, "tokenizeMs", 200 + random.nextInt(400), false);
        timing(buffer, "totalMs", totalMicros, false);
        timing(buffer, "pngEncodeMs", pngMicros, false);
        timing(buffer, "unetStepAvgMs", stepNanos / 1000, false);
        timing(buffer, "inferenceMs", inferenceMicros, false);
        timing(buffer, "uploadMs", uploadMicros, false);
        timing(buffer, "textEncoderMs", textEncoderMicros, false);
        timing(buffer, "vaeDecodeMs", vaeMicros, false);
        buffer.append("},\"worker\":\"").append(workerId).append("\",\"provider\":\"cuda\"}");
        sink.accept(event(partition, key, completedNanos, TYPE_COMPLETED, source, traceHigh, traceLow, random));
    }

    /** An event record of the worker: the value is what {@link #buffer} holds, its CreateTime the event's {@code at}. */
    private ProducerRecord<byte[], byte[]> event(int partition, byte[] key, long atNanos, byte[] type, byte[] source,
                                                 long traceHigh, long traceLow, SplittableRandom random) {
        byte[] value = ascii(buffer);
        byte[] id = randomUuid(random);
        scratch.setLength(0);
        byte[] time = ascii(instant(scratch, atNanos));
        RecordHeaders headers = new RecordHeaders(new Header[] {
                new RecordHeader(Headers.CE_SPECVERSION, SPEC),
                new RecordHeader(Headers.CE_ID, id),
                new RecordHeader(Headers.CE_TYPE, type),
                new RecordHeader(Headers.CE_SOURCE, source),
                new RecordHeader(CE_SUBJECT, key),
                new RecordHeader(CE_DATACONTENTTYPE, JSON),
                new RecordHeader(Headers.CONTENT_TYPE, JSON),
                new RecordHeader(Headers.CE_TIME, time),
                new RecordHeader(Headers.TRACEPARENT, traceparent(traceHigh, traceLow, random))});
        return new ProducerRecord<>(Topics.EVENTS, partition, Math.floorDiv(atNanos, 1_000_000L), key, value,
                headers);
    }

    private StringBuilder instant(StringBuilder out, long epochNanos) {
        return text.instant(out, Math.floorDiv(epochNanos, 1_000_000_000L),
                (int) Math.floorMod(epochNanos, 1_000_000_000L));
    }

    private byte[] instantBytes(long epochMillis, SplittableRandom random) {
        scratch.setLength(0);
        return ascii(instant(scratch, epochMillis * 1_000_000L + random.nextInt(1_000_000)));
    }

    private static void timing(StringBuilder out, String name, long micros, boolean first) {
        IsoText.millis(out.append(first ? "\"" : ",\"").append(name).append("\":"), micros);
    }

    private byte[] traceparent(long high, long low, SplittableRandom random) {
        scratch.setLength(0);
        scratch.append("00-");
        IsoText.hex(scratch, high, 16);
        IsoText.hex(scratch, low, 16).append('-');
        return ascii(IsoText.hex(scratch, random.nextLong(), 16).append("-01"));
    }

    private byte[] randomUuid(SplittableRandom random) {
        scratch.setLength(0);
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return ascii(IsoText.uuid(scratch, msb, lsb));
    }

    /** Every character written here is ASCII (JSON escapes nothing else from these inputs). */
    private static byte[] ascii(StringBuilder text) {
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String randomText(SplittableRandom random, String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** SplitMix64's finaliser: a bijection of longs with good avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
