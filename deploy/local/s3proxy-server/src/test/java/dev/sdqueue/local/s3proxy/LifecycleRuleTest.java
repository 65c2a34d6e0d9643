package dev.sdqueue.local.s3proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.local.s3proxy.LifecycleRule.PrefixForm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleRuleTest {

    @Test
    void realDaysAreCountedFromTheWriteAndRoundedUpToMidnightUtc() {
        LifecycleRule rule = new LifecycleRule("r", true, "", PrefixForm.FILTER, 1);
        assertThat(rule.expiresAt(Instant.parse("2024-01-15T10:30:00Z"), Duration.ofDays(1)))
                .isEqualTo(Instant.parse("2024-01-17T00:00:00Z"));
        assertThat(rule.expiresAt(Instant.parse("2024-01-15T00:00:00Z"), Duration.ofDays(1)))
                .isEqualTo(Instant.parse("2024-01-16T00:00:00Z"));
        LifecycleRule week = new LifecycleRule("w", true, "", PrefixForm.FILTER, 7);
        assertThat(week.expiresAt(Instant.parse("2024-01-15T23:59:59.999Z"), Duration.ofDays(1)))
                .isEqualTo(Instant.parse("2024-01-23T00:00:00Z"));
    }

    @Test
    void scaledDaysRoundUpToTheNextMultipleOfTheDayLength() {
        LifecycleRule rule = new LifecycleRule("r", true, "", PrefixForm.FILTER, 2);
        Duration day = Duration.ofSeconds(2);
        assertThat(rule.expiresAt(Instant.ofEpochMilli(1_000_500), day)).isEqualTo(Instant.ofEpochMilli(1_006_000));
        assertThat(rule.expiresAt(Instant.ofEpochMilli(1_000_000), day)).isEqualTo(Instant.ofEpochMilli(1_004_000));
    }

    @Test
    void theEarliestMatchingEnabledRuleDecides() {
        LifecycleConfiguration config = new LifecycleConfiguration(List.of(
                new LifecycleRule("long", true, "gen/", PrefixForm.FILTER, 30),
                new LifecycleRule("short", true, "gen/tmp/", PrefixForm.FILTER, 1),
                new LifecycleRule("off", false, "gen/", PrefixForm.FILTER, 1)));
        Instant written = Instant.parse("2024-01-15T10:30:00Z");
        Duration day = Duration.ofDays(1);
        assertThat(config.expiresAt("gen/tmp/x", written, day)).contains(Instant.parse("2024-01-17T00:00:00Z"));
        assertThat(config.expiresAt("gen/x", written, day)).contains(Instant.parse("2024-02-15T00:00:00Z"));
        assertThat(config.expiresAt("other/x", written, day)).isEmpty();
        assertThat(config.enabledPrefixes()).containsExactly("gen/");
    }
}
