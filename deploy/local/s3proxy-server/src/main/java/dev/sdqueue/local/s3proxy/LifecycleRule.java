package dev.sdqueue.local.s3proxy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One rule of a bucket's lifecycle configuration: the subset we implement, "expire the current objects whose key
 * starts with {@code prefix}, {@code days} days after they were written".
 *
 * @param id      the rule's {@code ID} (generated when the request had none, as S3 does)
 * @param enabled {@code Status} is {@code Enabled} (a {@code Disabled} rule is kept but expires nothing)
 * @param prefix  key prefix the rule applies to; empty = every object
 * @param form    how the request spelled the prefix, so GET answers with the same shape
 * @param days    {@code Expiration/Days}, at least 1
 */
public record LifecycleRule(String id, boolean enabled, String prefix, PrefixForm form, int days) {

    /** Where the prefix sat in the XML: {@code Filter/Prefix}, {@code Filter/And/Prefix} or the legacy {@code Prefix}. */
    public enum PrefixForm { FILTER, FILTER_AND, RULE }

    public LifecycleRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(form, "form");
        if (days < 1) {
            throw new IllegalArgumentException("days must be >= 1, was " + days);
        }
    }

    public boolean appliesTo(String key) {
        return enabled && key.startsWith(prefix);
    }

    /**
     * When an object written at {@code written} is due, as AWS computes it: written + days, rounded up to the next
     * day boundary (midnight UTC for real days). With a scaled day the boundary is the next multiple of
     * {@code dayLength} since the epoch, which is midnight UTC again when the day is {@code P1D}.
     */
    public Instant expiresAt(Instant written, Duration dayLength) {
        long day = dayLength.toMillis();
        long due = Math.addExact(written.toEpochMilli(), Math.multiplyExact(day, (long) days));
        return Instant.ofEpochMilli(Math.multiplyExact(Math.floorDiv(due + day - 1, day), day));
    }
}
