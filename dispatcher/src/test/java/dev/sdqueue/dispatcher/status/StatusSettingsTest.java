package dev.sdqueue.dispatcher.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class StatusSettingsTest {
    @Test
    void anIdempotencyWindowLongerThanTheTtlFailsNamingBothKeys() {
        assertThatThrownBy(() -> StatusSettings.check(Duration.ofHours(12), Duration.ofMinutes(1),
                Duration.ofHours(24)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sdq.idempotency.window (PT24H)")
                .hasMessageContaining("sdq.status.ttl (PT12H)");
        StatusSettings.check(Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofHours(24)); // equal is fine
    }

    @Test
    void ttlAndScanIntervalMustBePositive() {
        assertThatThrownBy(() -> StatusSettings.check(Duration.ZERO, Duration.ofMinutes(1), Duration.ZERO))
                .hasMessageContaining("sdq.status.ttl must be positive");
        assertThatThrownBy(() -> StatusSettings.check(Duration.ofDays(7), Duration.ofSeconds(-1), Duration.ZERO))
                .hasMessageContaining("sdq.status.ttl-scan-interval");
    }

    @Test
    void theAdvertisedAddressIsHostColonPort() {
        assertThat(StatusSettings.hostInfo("10.0.0.7:8080")).isEqualTo(new HostInfo("10.0.0.7", 8080));
        assertThatThrownBy(() -> StatusSettings.hostInfo("localhost")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> StatusSettings.hostInfo("h:http")).hasMessageContaining("host:port");
    }
}
