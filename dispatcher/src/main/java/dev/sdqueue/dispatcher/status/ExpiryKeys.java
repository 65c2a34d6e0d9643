package dev.sdqueue.dispatcher.status;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the expiry index: the expiry time (epoch millis, 8 bytes big-endian) followed by the job id in UTF-8.
 * RocksDB orders keys bytewise, so for the non-negative times of Kafka records the index is sorted by expiry and
 * "everything due by now" is one range scan from {@link #LOWEST} to {@link #dueBy(long)}.
 */
final class ExpiryKeys {
    static final Bytes LOWEST = Bytes.wrap(new byte[Long.BYTES]);

    private ExpiryKeys() {
    }

    static Bytes of(long expiresAt, String jobId) {
        byte[] id = jobId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).putLong(expiresAt).put(id).array());
    }

    /**
     * The inclusive upper bound of a scan for keys expiring at or before {@code now}: the bare 8-byte time
     * {@code now + 1} sorts after every {@code (now, id)} and before every {@code (now + 1, id)}.
     */
    static Bytes dueBy(long now) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(now + 1).array());
    }

    static long expiresAt(Bytes key) {
        return ByteBuffer.wrap(key.get()).getLong();
    }

    static String jobId(Bytes key) {
        byte[] raw = key.get();
        return new String(raw, Long.BYTES, raw.length - Long.BYTES, StandardCharsets.UTF_8);
    }

    /** {@code at + ttl}, saturated instead of wrapping for absurd TTLs. */
    static long expiry(long at, long ttlMillis) {
        long sum = at + ttlMillis;
        return ((at ^ sum) & (ttlMillis ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
