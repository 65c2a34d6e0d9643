package dev.sdqueue.worker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.messages.Filter;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.Status;
import io.minio.messages.Tag;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketLifecycleTest {

    private static LifecycleConfiguration.Rule rule(String id, Status status, Filter filter, Integer days) {
        return new LifecycleConfiguration.Rule(status, null,
                new LifecycleConfiguration.Expiration((ZonedDateTime) null, days, null, null), filter, id, null, null,
                null);
    }

    @Test
    void daysRoundTheTtlUpSoAnImageOutlivesItsStatus() {
        assertThat(BucketLifecycle.days(Duration.ofDays(7))).isEqualTo(7);
        assertThat(BucketLifecycle.days(Duration.ofDays(7).plusSeconds(1))).isEqualTo(8);
        assertThat(BucketLifecycle.days(Duration.ofSeconds(30))).as("S3's smallest expiration").isEqualTo(1);
    }

    @Test
    void ourRuleIsAddedOrReplacedAndTheOperatorsRulesAreKept() {
        LifecycleConfiguration.Rule theirs = rule("logs", Status.ENABLED, new Filter("logs/"), 30);
        LifecycleConfiguration existing = new LifecycleConfiguration(List.of(theirs,
                rule(BucketLifecycle.RULE_ID, Status.ENABLED, new Filter(BucketLifecycle.PREFIX), 3)));

        LifecycleConfiguration merged = BucketLifecycle.withOurRule(existing, 7);

        assertThat(merged.rules()).hasSize(2);
        assertThat(merged.rules().get(0)).isSameAs(theirs);
        LifecycleConfiguration.Rule ours = merged.rules().get(1);
        assertThat(ours.id()).isEqualTo(BucketLifecycle.RULE_ID);
        assertThat(ours.status()).isEqualTo(Status.ENABLED);
        assertThat(ours.filter().prefix()).isEqualTo("generations/");
        assertThat(ours.expiration().days()).isEqualTo(7);
        assertThat(BucketLifecycle.hasOurRule(existing, 7)).as("3 days is another rule than 7").isFalse();
        assertThat(BucketLifecycle.hasOurRule(merged, 7)).isTrue();
        assertThat(BucketLifecycle.withOurRule(null, 2).rules()).singleElement()
                .satisfies(r -> assertThat(r.expiration().days()).isEqualTo(2));
    }

    @Test
    void verifyAcceptsOnlyAnEnabledRuleCoveringEveryGeneratedImageInTime() {
        assertThat(covers(rule("all", Status.ENABLED, new Filter(""), 5), 7)).isTrue();
        assertThat(covers(rule("gen", Status.ENABLED, new Filter("gen"), 7), 7)).isTrue();
        assertThat(covers(rule("other", Status.ENABLED, new Filter("other/"), 1), 7)).isFalse();
        assertThat(covers(rule("deeper", Status.ENABLED, new Filter("generations/a"), 1), 7))
                .as("covers only some jobs").isFalse();
        assertThat(covers(rule("late", Status.ENABLED, new Filter(BucketLifecycle.PREFIX), 8), 7)).isFalse();
        assertThat(covers(rule("off", Status.DISABLED, new Filter(BucketLifecycle.PREFIX), 1), 7)).isFalse();
        assertThat(covers(rule("tagged", Status.ENABLED, new Filter(new Tag("k", "v")), 1), 7)).isFalse();
        assertThat(BucketLifecycle.expiresWithin(null, 7)).isFalse();
    }

    @Test
    void verifyAlsoRefusesARuleThatDeletesImagesBeforeTheirLinksExpire() {
        LifecycleConfiguration ok = new LifecycleConfiguration(List.of(
                rule("gen", Status.ENABLED, new Filter(BucketLifecycle.PREFIX), 7)));
        assertThat(BucketLifecycle.verify(ok, 1, 7)).isEmpty();
        assertThat(BucketLifecycle.verify(null, 1, 7)).get().asString().contains("no enabled lifecycle rule");
        LifecycleConfiguration early = new LifecycleConfiguration(List.of(
                rule("gen", Status.ENABLED, new Filter(BucketLifecycle.PREFIX), 7),
                rule("tmp", Status.ENABLED, new Filter("generations/x"), 1)));
        assertThat(BucketLifecycle.verify(early, 2, 7)).get().asString()
                .contains("lifecycle rule tmp deletes objects under generations/ after 1 day(s)");
    }

    private static boolean covers(LifecycleConfiguration.Rule rule, int days) {
        return BucketLifecycle.expiresWithin(new LifecycleConfiguration(List.of(rule)), days);
    }

    @Test
    void aLinkMayNotOutliveItsImageNorS3sLimit() {
        assertThatCode(() -> MinioImageStore.checkUrlExpiry(Duration.ofDays(7), Duration.ofDays(7)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> MinioImageStore.checkUrlExpiry(Duration.ofHours(2), Duration.ofHours(1)))
                .hasMessageContaining("sdq.storage.url-expiry (PT2H) exceeds sdq.status.ttl (PT1H)");
        assertThatThrownBy(() -> MinioImageStore.checkUrlExpiry(Duration.ofDays(8), Duration.ofDays(30)))
                .hasMessageContaining("at most PT168H");
        assertThatThrownBy(() -> MinioImageStore.checkUrlExpiry(Duration.ZERO, Duration.ofDays(1)))
                .hasMessageContaining("positive");
    }
}
