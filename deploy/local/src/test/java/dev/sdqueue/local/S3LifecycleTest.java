package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.DeleteBucketLifecycleArgs;
import io.minio.GetBucketLifecycleArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.SetBucketLifecycleArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Filter;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.LifecycleConfiguration.Expiration;
import io.minio.messages.LifecycleConfiguration.Rule;
import io.minio.messages.LifecycleConfiguration.Transition;
import io.minio.messages.Status;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bucket lifecycle on the real local S3 server (S3Proxy + our extension, a child JVM of a private stack) through
 * the MinIO SDK the worker uses, with lifecycle days scaled to {@link #DAY} so expiry is seen within seconds.
 */
class S3LifecycleTest {
    private static final Duration DAY = Duration.ofSeconds(2);
    /** PNG signature plus a little: the kind of object the worker stores under generations/. */
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};

    private static LocalStack stack;
    private static MinioClient s3;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startStack() {
        stack = LocalStack.create(LocalStackConfig.forTests().withLifecycleDayLength(DAY), line -> { }).start();
        s3 = minio(stack.accessKey(), stack.secretKey());
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theMinioSdkSetsGetsAndDeletesALifecycleConfiguration() throws Exception {
        String bucket = newBucket();
        assertThat(s3.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build())).isNull();

        LifecycleConfiguration config = new LifecycleConfiguration(List.of(
                rule("expire-generations", Status.ENABLED, new Filter("generations/"), 7),
                rule("scratch", Status.DISABLED, new Filter(new Filter.And("tmp/", Map.of(), null, null)), 1)));
        s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket).config(config).build());

        LifecycleConfiguration read = s3.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build());
        assertThat(read.rules()).hasSize(2);
        Rule first = read.rules().get(0);
        assertThat(first.id()).isEqualTo("expire-generations");
        assertThat(first.status()).isEqualTo(Status.ENABLED);
        assertThat(first.filter().prefix()).isEqualTo("generations/");
        assertThat(first.expiration().days()).isEqualTo(7);
        assertThat(first.transition()).isNull();
        Rule second = read.rules().get(1);
        assertThat(second.id()).isEqualTo("scratch");
        assertThat(second.status()).isEqualTo(Status.DISABLED);
        assertThat(second.filter().andOperator().prefix()).isEqualTo("tmp/");
        assertThat(second.expiration().days()).isEqualTo(1);

        // Replacing is a PUT of the whole configuration, as in S3.
        s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket).config(new LifecycleConfiguration(
                List.of(rule("only", Status.ENABLED, new Filter("a/"), 3)))).build());
        assertThat(s3.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build()).rules())
                .extracting(Rule::id).containsExactly("only");

        s3.deleteBucketLifecycle(DeleteBucketLifecycleArgs.builder().bucket(bucket).build());
        assertThat(s3.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build())).isNull();
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(lifecycleUri(bucket)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(403); // unsigned: refused before anything else is looked at

        assertThatThrownBy(() -> s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket("no-such-bucket")
                .config(config).build()))
                .isInstanceOfSatisfying(ErrorResponseException.class,
                        e -> assertThat(e.errorResponse().code()).isEqualTo("NoSuchBucket"));
    }

    @Test
    void anObjectUnderTheRulesPrefixIsGoneAfterTheDaysAndOneOutsideStays() throws Exception {
        String bucket = stack.bucket();
        s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket).config(new LifecycleConfiguration(
                List.of(rule("generations-ttl", Status.ENABLED, new Filter("generations/"), 1)))).build());
        String expiring = "generations/" + UUID.randomUUID() + "/0.png";
        String outside = "uploads/" + UUID.randomUUID() + ".png";
        put(bucket, expiring);
        put(bucket, outside);
        Instant written = lastModified(bucket, expiring);
        String presigned = s3.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Http.Method.GET)
                .bucket(bucket).object(expiring).expiry(10, TimeUnit.MINUTES).build());
        assertThat(status(presigned)).isEqualTo(200);

        Instant gone = awaitGone(bucket, expiring, Duration.ofSeconds(30));
        // Never before written + 1 day (Last-Modified is truncated to the second, so this bound is safe).
        assertThat(gone).isAfterOrEqualTo(written.plus(DAY));
        assertThat(status(presigned)).isEqualTo(404);
        assertThat(Files.readString(stack.s3ProxyLog())).contains("lifecycle: expired " + bucket + "/" + expiring);

        // Well past the time a matching object written with it would have gone: still there.
        sleepUntil(lastModified(bucket, outside).plus(DAY.multipliedBy(3)));
        assertThat(exists(bucket, outside)).isTrue();
    }

    @Test
    void aDisabledRuleExpiresNothingWhileAnEnabledOneNextToItDoes() throws Exception {
        String bucket = newBucket();
        s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket).config(new LifecycleConfiguration(
                List.of(rule("off", Status.DISABLED, new Filter("keep/"), 1),
                        rule("on", Status.ENABLED, new Filter("drop/"), 1)))).build());
        put(bucket, "keep/a.png");
        put(bucket, "drop/a.png");
        Instant keepWritten = lastModified(bucket, "keep/a.png");

        awaitGone(bucket, "drop/a.png", Duration.ofSeconds(30)); // the sweeper does visit this bucket
        sleepUntil(keepWritten.plus(DAY.multipliedBy(3)));
        assertThat(exists(bucket, "keep/a.png")).isTrue();
    }

    @Test
    void unsignedOrWronglySignedLifecycleRequestsAreRefused() throws Exception {
        String bucket = newBucket();
        LifecycleConfiguration config = new LifecycleConfiguration(
                List.of(rule("keep-me", Status.ENABLED, new Filter("generations/"), 5)));
        s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket).config(config).build());
        String evil = "<LifecycleConfiguration><Rule><ID>evil</ID><Filter><Prefix></Prefix></Filter>"
                + "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";

        for (HttpRequest unsigned : List.of(HttpRequest.newBuilder(lifecycleUri(bucket)).GET().build(),
                HttpRequest.newBuilder(lifecycleUri(bucket)).PUT(HttpRequest.BodyPublishers.ofString(evil)).build(),
                HttpRequest.newBuilder(lifecycleUri(bucket)).DELETE().build())) {
            HttpResponse<String> response = HTTP.send(unsigned, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(unsigned.method()).isEqualTo(403);
            assertThat(response.body()).contains("<Code>AccessDenied</Code>");
        }

        // Our access key, a current date, but a signature made without the secret.
        String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC));
        HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(lifecycleUri(bucket)).DELETE()
                .header("x-amz-date", amzDate)
                .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + stack.accessKey() + "/"
                        + amzDate.substring(0, 8) + "/" + stack.region() + "/s3/aws4_request, SignedHeaders=host;"
                        + "x-amz-content-sha256;x-amz-date, Signature=" + "0".repeat(64)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("<Code>SignatureDoesNotMatch</Code>");

        try (MinioClient wrongSecret = minio(stack.accessKey(), "not-the-secret");
                MinioClient unknownKey = minio("somebody-else", stack.secretKey())) {
            assertRefused(() -> wrongSecret.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket)
                    .config(new LifecycleConfiguration(List.of(rule("evil", Status.ENABLED, new Filter(""), 1))))
                    .build()), "SignatureDoesNotMatch");
            assertRefused(() -> wrongSecret.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket)
                    .build()), "SignatureDoesNotMatch");
            assertRefused(() -> wrongSecret.deleteBucketLifecycle(DeleteBucketLifecycleArgs.builder().bucket(bucket)
                    .build()), "SignatureDoesNotMatch");
            assertRefused(() -> unknownKey.deleteBucketLifecycle(DeleteBucketLifecycleArgs.builder().bucket(bucket)
                    .build()), "InvalidAccessKeyId");
        }
        // Nothing the refused requests asked for happened.
        assertThat(s3.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build()).rules())
                .singleElement().satisfies(rule -> {
                    assertThat(rule.id()).isEqualTo("keep-me");
                    assertThat(rule.expiration().days()).isEqualTo(5);
                });
    }

    @Test
    void rulesWeDoNotImplementAreRefusedNotIgnored() throws Exception {
        String bucket = newBucket();
        Rule transition = new Rule(Status.ENABLED, null, null, new Filter("generations/"), "to-glacier", null, null,
                new Transition((ZonedDateTime) null, 30, "GLACIER"));
        assertRefused(() -> s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket)
                .config(new LifecycleConfiguration(List.of(transition))).build()), "NotImplemented");
        Rule byDate = new Rule(Status.ENABLED, null, new Expiration(ZonedDateTime.now(ZoneOffset.UTC).plusDays(1)
                .truncatedTo(ChronoUnit.DAYS), null, null, null), new Filter("x/"), "by-date",
                null, null, null);
        assertRefused(() -> s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket)
                .config(new LifecycleConfiguration(List.of(byDate))).build()), "NotImplemented");
        assertThat(s3.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build())).isNull();
    }

    @Test
    void theConfigurationSurvivesARestartAndIsEnforcedAfterIt() throws Exception {
        String bucket = newBucket();
        s3.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket).config(new LifecycleConfiguration(
                List.of(rule("ttl", Status.ENABLED, new Filter("generations/"), 2)))).build());
        put(bucket, "generations/before-crash.png");
        Instant written = lastModified(bucket, "generations/before-crash.png");

        stack.stopS3Proxy(true); // SIGKILL: no shutdown hook, nothing flushed on the way out
        sleepUntil(written.plus(DAY.multipliedBy(3))); // due while the server is down
        stack.startS3Proxy();

        Rule rule = s3.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build()).rules().get(0);
        assertThat(rule.id()).isEqualTo("ttl");
        assertThat(rule.filter().prefix()).isEqualTo("generations/");
        assertThat(rule.expiration().days()).isEqualTo(2);
        awaitGone(bucket, "generations/before-crash.png", Duration.ofSeconds(30));
    }

    private static Rule rule(String id, Status status, Filter filter, int days) {
        return new Rule(status, null, new Expiration((ZonedDateTime) null, days, null, null), filter, id, null, null,
                null);
    }

    private static String newBucket() throws Exception {
        String bucket = "lc-" + UUID.randomUUID().toString().substring(0, 8);
        s3.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        return bucket;
    }

    private static void put(String bucket, String key) throws Exception {
        s3.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(PNG), (long) PNG.length, -1L).contentType("image/png").build());
    }

    private static Instant lastModified(String bucket, String key) throws Exception {
        return s3.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()).lastModified().toInstant();
    }

    private static boolean exists(String bucket, String key) throws Exception {
        try {
            s3.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if (e.errorResponse().code().equals("NoSuchKey")) {
                return false;
            }
            throw e;
        }
    }

    /** Polls until the object is gone; returns when that was first seen. */
    private static Instant awaitGone(String bucket, String key, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (exists(bucket, key)) {
            assertThat(Instant.now()).as(bucket + "/" + key + " still there after " + timeout).isBefore(deadline);
            Thread.sleep(100);
        }
        return Instant.now();
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static URI lifecycleUri(String bucket) {
        return URI.create(stack.s3Endpoint() + "/" + bucket + "?lifecycle");
    }

    private static void assertRefused(ThrowingCall call, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ErrorResponseException.class,
                e -> assertThat(e.errorResponse().code()).as(e.errorResponse().message()).isEqualTo(code));
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    private static MinioClient minio(String accessKey, String secretKey) {
        return MinioClient.builder().endpoint(stack.s3Endpoint()).credentials(accessKey, secretKey)
                .region(stack.region()).build();
    }
}
