package dev.sdqueue.local.s3proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.local.s3proxy.LifecycleRule.PrefixForm;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** The sweeper on S3Proxy's real filesystem backend, with real (unscaled) days and a fixed clock. */
class LifecycleSweeperTest {
    private static final String BUCKET = "sweep-test";
    private static final Instant WRITTEN = Instant.parse("2024-01-15T10:30:00Z");
    private static final Instant DUE = Instant.parse("2024-01-17T00:00:00Z"); // +1 day, next midnight UTC

    @TempDir
    Path dir;
    private BlobStore blobStore;
    private LifecycleStore store;

    @BeforeEach
    void setUp() {
        store = new LifecycleStore(dir.resolve(LifecycleStore.DIR_NAME));
        blobStore = new LifecycleBlobStore(new FilesystemNio2BlobStore(dir.toString()), store);
        blobStore.createContainer(BUCKET);
    }

    @Test
    void deletesOnlyDueObjectsUnderAnEnabledRulesPrefix() throws Exception {
        store.put(BUCKET, new LifecycleConfiguration(List.of(
                new LifecycleRule("gen", true, "generations/", PrefixForm.FILTER, 1),
                new LifecycleRule("off", false, "keep/", PrefixForm.FILTER, 1))));
        put("generations/old.png", WRITTEN);
        put("generations/new.png", DUE.minusSeconds(60)); // written a minute before the others are due
        put("keep/old.png", WRITTEN);
        put("other/old.png", WRITTEN);

        LifecycleSweeper.Sweep before = sweeper(DUE.minusMillis(1)).sweep();
        assertThat(before).isEqualTo(new LifecycleSweeper.Sweep(1, 2, 0));
        assertThat(keys()).containsExactlyInAnyOrder("generations/old.png", "generations/new.png", "keep/old.png",
                "other/old.png");

        LifecycleSweeper.Sweep atDue = sweeper(DUE).sweep();
        assertThat(atDue).isEqualTo(new LifecycleSweeper.Sweep(1, 2, 1));
        assertThat(keys()).containsExactlyInAnyOrder("generations/new.png", "keep/old.png", "other/old.png");

        LifecycleSweeper.Sweep nextDay = sweeper(DUE.plus(Duration.ofDays(1))).sweep();
        assertThat(nextDay.expired()).isEqualTo(1);
        assertThat(keys()).containsExactlyInAnyOrder("keep/old.png", "other/old.png");
    }

    @Test
    void aBucketWithoutConfigurationOrAGoneBucketIsLeftAlone() throws Exception {
        put("generations/old.png", WRITTEN);
        assertThat(sweeper(DUE.plus(Duration.ofDays(10))).sweep()).isEqualTo(new LifecycleSweeper.Sweep(0, 0, 0));

        store.put("gone-bucket", new LifecycleConfiguration(List.of(
                new LifecycleRule("all", true, "", PrefixForm.FILTER, 1))));
        assertThat(sweeper(DUE.plus(Duration.ofDays(10))).sweep()).isEqualTo(new LifecycleSweeper.Sweep(0, 0, 0));
        assertThat(keys()).containsExactly("generations/old.png");
    }

    @Test
    void deletingABucketDeletesItsConfigurationAndTheStoreIsNoBucket() {
        store.put(BUCKET, new LifecycleConfiguration(List.of(
                new LifecycleRule("all", true, "", PrefixForm.FILTER, 1))));
        assertThat(blobStore.list().buckets()).extracting(b -> b.name()).containsExactly(BUCKET);
        blobStore.deleteBucket(BUCKET);
        assertThat(store.get(BUCKET)).isEmpty();
        assertThat(store.buckets()).isEmpty();
    }

    @Test
    void configurationsSurviveANewStoreOnTheSameDirectory() {
        LifecycleConfiguration config = new LifecycleConfiguration(List.of(
                new LifecycleRule("gen", true, "generations/", PrefixForm.FILTER_AND, 3)));
        store.put(BUCKET, config);
        LifecycleStore reopened = new LifecycleStore(dir.resolve(LifecycleStore.DIR_NAME));
        assertThat(reopened.buckets()).containsExactly(BUCKET);
        assertThat(reopened.get(BUCKET)).contains(config);
        assertThat(reopened.delete(BUCKET)).isTrue();
        assertThat(store.get(BUCKET)).isEmpty();
        assertThat(reopened.delete(BUCKET)).isFalse();
    }

    private LifecycleSweeper sweeper(Instant now) {
        return new LifecycleSweeper(blobStore, store, Duration.ofDays(1), Clock.fixed(now, ZoneOffset.UTC));
    }

    private void put(String key, Instant written) throws Exception {
        byte[] body = key.getBytes(StandardCharsets.UTF_8);
        blobStore.putBlob(PutObjectRequest.builder().bucket(BUCKET).key(key).contentLength((long) body.length).build(),
                new ByteArrayInputStream(body));
        Files.setLastModifiedTime(dir.resolve(BUCKET).resolve(key), FileTime.from(written));
    }

    private List<String> keys() {
        return blobStore.list(BUCKET).contents().stream().map(o -> o.key()).toList();
    }
}
