package dev.sdqueue.worker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.local.LocalStackConfig;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.worker.WorkerConfig;
import io.minio.GetBucketLifecycleArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.SetBucketLifecycleArgs;
import io.minio.StatObjectArgs;
import io.minio.messages.Filter;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image store against the local S3 server, whose lifecycle "day" lasts 2 s here: the worker's rule is in place
 * after {@link MinioImageStore#prepare}, and an image it stored is gone (its presigned link answers 404) once the
 * rule's days have passed.
 */
class MinioImageStoreTest {
    private static final Duration DAY = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalStack stack;
    private static MinioClient admin;

    @BeforeAll
    static void start() {
        stack = LocalStack.create(LocalStackConfig.forTests().withLifecycleDayLength(DAY), line -> { }).start();
        admin = MinioClient.builder().endpoint(stack.s3Endpoint()).region("us-east-1")
                .credentials(stack.accessKey(), stack.secretKey()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void applyPutsTheRuleInPlaceKeepsOtherRulesAndTheImageExpiresByIt() throws Exception {
        String bucket = "apply-" + UUID.randomUUID().toString().substring(0, 8);
        admin.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        LifecycleConfiguration.Rule theirs = new LifecycleConfiguration.Rule(Status.ENABLED, null,
                new LifecycleConfiguration.Expiration((ZonedDateTime) null, 30, null, null), new Filter("logs/"),
                "logs", null, null, null);
        admin.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket)
                .config(new LifecycleConfiguration(List.of(theirs))).build());
        // A TTL of 3 s is one lifecycle day (2 s here); the links live 3 s (at most the TTL).
        try (MinioImageStore store = new MinioImageStore(storage(bucket, WorkerConfig.Storage.Lifecycle.APPLY,
                Duration.ofSeconds(3)), () -> Duration.ofSeconds(3))) {
            store.prepare(Duration.ofSeconds(30));

            LifecycleConfiguration rules = admin.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket)
                    .build());
            assertThat(rules.rules()).extracting(LifecycleConfiguration.Rule::id)
                    .containsExactlyInAnyOrder("logs", BucketLifecycle.RULE_ID);
            assertThat(BucketLifecycle.hasOurRule(rules, 1)).isTrue();

            ImageRef image = store.putPng("job-1", 0, new byte[] {(byte) 0x89, 'P', 'N', 'G'}, 8, 8, 1L);
            assertThat(admin.statObject(StatObjectArgs.builder().bucket(bucket).object(image.key()).build()).size())
                    .isEqualTo(4);

            assertThat(get(image.url())).as("the link works while both live").isEqualTo(200);

            // Last-modified + 1 day, rounded up to the next "midnight", plus one sweep: at most 3 days.
            long deadline = System.nanoTime() + DAY.multipliedBy(6).toNanos();
            while (exists(bucket, image.key()) && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(exists(bucket, image.key())).as("expired by the lifecycle rule").isFalse();
            assertThat(get(image.url())).as("the link died no later than the image").isIn(403, 404);
        }
    }

    @Test
    void verifyRefusesABucketWithoutARuleAndApplyingItIsIdempotent() throws Exception {
        String bucket = "verify-" + UUID.randomUUID().toString().substring(0, 8);
        assertThatThrownBy(() -> prepare(bucket, WorkerConfig.Storage.Lifecycle.VERIFY))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sdq.storage.lifecycle=verify").hasMessageContaining("no enabled lifecycle rule");
        for (int i = 0; i < 2; i++) {
            prepare(bucket, WorkerConfig.Storage.Lifecycle.APPLY);
        }
        assertThat(admin.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build()).rules())
                .singleElement().satisfies(rule -> assertThat(rule.expiration().days()).isEqualTo(7));
        prepare(bucket, WorkerConfig.Storage.Lifecycle.VERIFY);
    }

    /** A store for {@code bucket} (links 1 h, status TTL 7 days) that prepares itself once and closes. */
    private static void prepare(String bucket, WorkerConfig.Storage.Lifecycle lifecycle) throws Exception {
        try (MinioImageStore store = new MinioImageStore(storage(bucket, lifecycle, Duration.ofHours(1)),
                () -> Duration.ofDays(7))) {
            store.prepare(Duration.ofSeconds(30));
        }
    }

    @Test
    void prepareWaitsForAnS3ThatDoesNotAnswerYet() throws Exception {
        String bucket = "late-" + UUID.randomUUID().toString().substring(0, 8);
        MinioImageStore store = new MinioImageStore(storage(bucket, WorkerConfig.Storage.Lifecycle.APPLY,
                Duration.ofHours(1)), () -> Duration.ofDays(7));
        stack.stopS3Proxy(true);
        java.util.concurrent.CompletableFuture<Void> prepared = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                store.prepare(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            Thread.sleep(3_000);
            assertThat(prepared).as("still waiting while S3 is down").isNotDone();
            stack.startS3Proxy();
            prepared.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(BucketLifecycle.hasOurRule(admin.getBucketLifecycle(GetBucketLifecycleArgs.builder()
                    .bucket(bucket).build()), 7)).isTrue();
        } finally {
            stack.startS3Proxy(); // a no-op if it runs
            store.close();
        }
    }

    private static boolean exists(String bucket, String key) throws Exception {
        try {
            admin.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (io.minio.errors.ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return false;
            }
            throw e;
        }
    }

    private static int get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static WorkerConfig.Storage storage(String bucket, WorkerConfig.Storage.Lifecycle lifecycle,
                                                Duration urlExpiry) {
        return new WorkerConfig.Storage() {
            @Override
            public String endpoint() {
                return stack.s3Endpoint();
            }

            @Override
            public String region() {
                return "us-east-1";
            }

            @Override
            public String accessKey() {
                return stack.accessKey();
            }

            @Override
            public String secretKey() {
                return stack.secretKey();
            }

            @Override
            public String bucket() {
                return bucket;
            }

            @Override
            public Duration urlExpiry() {
                return urlExpiry;
            }

            @Override
            public Lifecycle lifecycle() {
                return lifecycle;
            }

            @Override
            public Duration startupTimeout() {
                return Duration.ofSeconds(30);
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(10);
            }
        };
    }
}
