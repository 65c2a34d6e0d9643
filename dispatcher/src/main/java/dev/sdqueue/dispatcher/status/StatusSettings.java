package dev.sdqueue.dispatcher.status;

import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;

/** Startup checks of {@code sdq.status.*} against each other and {@code sdq.idempotency.window}. */
public final class StatusSettings {
    private StatusSettings() {
    }

    /** @throws IllegalStateException naming the keys, when the settings cannot work together */
    public static void check(Duration ttl, Duration scanInterval, Duration idempotencyWindow) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalStateException("sdq.status.ttl must be positive, was " + ttl);
        }
        if (scanInterval.isNegative() || scanInterval.isZero()) {
            throw new IllegalStateException("sdq.status.ttl-scan-interval must be positive, was " + scanInterval);
        }
        if (idempotencyWindow.compareTo(ttl) > 0) {
            throw new IllegalStateException("sdq.idempotency.window (" + idempotencyWindow + ") must not be longer "
                    + "than sdq.status.ttl (" + ttl + "): a repeated Idempotency-Key is recognised by its job's "
                    + "status, which the store deletes ttl after the job's latest update. Shorten the window or "
                    + "lengthen the ttl.");
        }
    }

    /** {@code sdq.dispatcher.advertised-address} as Kafka Streams' {@code application.server}. */
    public static HostInfo hostInfo(String advertisedAddress) {
        int colon = advertisedAddress == null ? -1 : advertisedAddress.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalStateException("sdq.dispatcher.advertised-address must be host:port, was "
                    + advertisedAddress);
        }
        try {
            int port = Integer.parseInt(advertisedAddress.substring(colon + 1));
            return new HostInfo(advertisedAddress.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("sdq.dispatcher.advertised-address must be host:port, was "
                    + advertisedAddress, e);
        }
    }
}
