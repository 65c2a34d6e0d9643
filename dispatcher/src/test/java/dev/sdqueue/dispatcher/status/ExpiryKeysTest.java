package dev.sdqueue.dispatcher.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExpiryKeysTest {
    @Test
    void keysSortByExpiryThenIdAndTheScanBoundSplitsExactlyAtNow() {
        long now = 1_780_000_000_000L;
        assertThat(ExpiryKeys.of(now - 1, "zzz")).isLessThan(ExpiryKeys.of(now, "a"));
        assertThat(ExpiryKeys.of(now, "a")).isLessThan(ExpiryKeys.of(now, "b"));
        assertThat(ExpiryKeys.of(255, "x")).as("bytes compare unsigned").isLessThan(ExpiryKeys.of(256, "x"));
        assertThat(ExpiryKeys.of(now, "\uffff\uffff")).isLessThanOrEqualTo(ExpiryKeys.dueBy(now));
        assertThat(ExpiryKeys.of(now + 1, "")).isGreaterThanOrEqualTo(ExpiryKeys.dueBy(now));
        assertThat(ExpiryKeys.of(now + 1, "a")).isGreaterThan(ExpiryKeys.dueBy(now));
        assertThat(ExpiryKeys.LOWEST).isLessThanOrEqualTo(ExpiryKeys.of(0, ""));
    }

    @Test
    void theKeyCarriesItsExpiryAndJobId() {
        var key = ExpiryKeys.of(42L, "job-\u00e9");
        assertThat(ExpiryKeys.expiresAt(key)).isEqualTo(42L);
        assertThat(ExpiryKeys.jobId(key)).isEqualTo("job-\u00e9");
        assertThat(ExpiryKeys.expiry(Long.MAX_VALUE - 5, 10)).as("saturated").isEqualTo(Long.MAX_VALUE);
    }
}
