package dev.sdqueue.worker.storage;

import io.minio.messages.Filter;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.Status;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The bucket lifecycle rule that deletes generated images once their job's status is deleted ({@code sdq.status.ttl}):
 * expire everything under {@code generations/} after the TTL in whole days (S3 counts lifecycle time in days; rounding
 * up keeps every image at least as long as its status). Pure functions over the MinIO SDK's message classes.
 */
public final class BucketLifecycle {
    public static final String RULE_ID = "sdq-generations-expire";
    public static final String PREFIX = "generations/";

    private BucketLifecycle() {
    }

    /** Whole days, rounded up, at least 1 (S3's smallest expiration). */
    public static int days(Duration ttl) {
        long day = Duration.ofDays(1).toMillis();
        return (int) Math.max(1, (ttl.toMillis() + day - 1) / day);
    }

    /** Our rule: enabled, prefix {@link #PREFIX}, expiration after {@code days}. */
    public static LifecycleConfiguration.Rule rule(int days) {
        return new LifecycleConfiguration.Rule(Status.ENABLED, null,
                new LifecycleConfiguration.Expiration((ZonedDateTime) null, days, null, null), new Filter(PREFIX),
                RULE_ID, null, null, null);
    }

    /** The bucket's configuration with our rule added or replaced; the operator's other rules are kept. */
    public static LifecycleConfiguration withOurRule(LifecycleConfiguration existing, int days) {
        List<LifecycleConfiguration.Rule> rules = new ArrayList<>();
        if (existing != null && existing.rules() != null) {
            existing.rules().stream().filter(r -> !RULE_ID.equals(r.id())).forEach(rules::add);
        }
        rules.add(rule(days));
        return new LifecycleConfiguration(rules);
    }

    /** True if our rule is there exactly as wanted (nothing to write): the TTL may have grown or shrunk. */
    public static boolean hasOurRule(LifecycleConfiguration existing, int days) {
        return existing != null && existing.rules() != null && existing.rules().stream()
                .anyMatch(r -> RULE_ID.equals(r.id()) && r.status() == Status.ENABLED && r.expiration() != null
                        && Integer.valueOf(days).equals(r.expiration().days()) && r.filter() != null
                        && PREFIX.equals(r.filter().prefix()));
    }

    /**
     * What a deployment that manages its lifecycle rules itself ({@code sdq.storage.lifecycle=verify}) must have:
     * an enabled rule expiring every object under {@link #PREFIX} within {@code maxDays} (images do not outlive
     * their status), and no rule reaching those objects sooner than {@code minDays} (links do not outlive their
     * images). Empty if both hold, else what is wrong.
     */
    public static java.util.Optional<String> verify(LifecycleConfiguration existing, int minDays, int maxDays) {
        List<LifecycleConfiguration.Rule> rules = existing == null || existing.rules() == null ? List.of()
                : existing.rules();
        if (rules.stream().noneMatch(r -> expiresGenerationsWithin(r, maxDays))) {
            return java.util.Optional.of("no enabled lifecycle rule expires " + PREFIX + " within " + maxDays
                    + " day(s) (sdq.status.ttl): images would outlive their status");
        }
        return rules.stream().filter(r -> r.status() == Status.ENABLED && r.expiration() != null
                        && r.expiration().days() != null && r.expiration().days() < minDays && reaches(r.filter()))
                .findFirst().map(r -> "lifecycle rule " + r.id() + " deletes objects under " + PREFIX + " after "
                        + r.expiration().days() + " day(s), before the presigned links expire ("
                        + minDays + " day(s), sdq.storage.url-expiry)");
    }

    /** True if some enabled rule expires every object under {@link #PREFIX} within {@code days}. */
    static boolean expiresWithin(LifecycleConfiguration existing, int days) {
        return existing != null && existing.rules() != null && existing.rules().stream()
                .anyMatch(r -> expiresGenerationsWithin(r, days));
    }

    /** Whether a rule's filter may select some of our objects (prefixes overlap; tags and sizes may match). */
    private static boolean reaches(Filter filter) {
        if (filter == null || filter.prefix() == null) {
            return true;
        }
        return PREFIX.startsWith(filter.prefix()) || filter.prefix().startsWith(PREFIX);
    }

    private static boolean expiresGenerationsWithin(LifecycleConfiguration.Rule rule, int days) {
        if (rule.status() != Status.ENABLED || rule.expiration() == null || rule.expiration().days() == null
                || rule.expiration().days() > days) {
            return false;
        }
        Filter filter = rule.filter();
        // A filter on tags or sizes would leave some images behind; only a prefix that covers ours counts.
        if (filter == null) {
            return true;
        }
        if (filter.andOperator() != null || filter.tag() != null || filter.objectSizeGreaterThan() != null
                || filter.objectSizeLessThan() != null) {
            return false;
        }
        return filter.prefix() == null || PREFIX.startsWith(filter.prefix());
    }
}
