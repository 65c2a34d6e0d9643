package dev.sdqueue.worker.storage;

import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.worker.WorkerConfig;
import io.minio.BucketExistsArgs;
import io.minio.GetBucketLifecycleArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.SetBucketLifecycleArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.LifecycleConfiguration;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * S3 (MinIO, S3Proxy, AWS) through the MinIO Java SDK. {@link #prepare} creates the bucket and puts its lifecycle
 * rule in place before the worker consumes; presigned links live at most {@code sdq.status.ttl} (and 7 days, S3's
 * limit), so a link never outlives the image the rule deletes after that TTL.
 */
@Singleton
public final class MinioImageStore implements ImageStore, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MinioImageStore.class);
    private static final String PNG = "image/png";
    static final Duration MAX_PRESIGN = Duration.ofDays(7);
    private static final Duration RETRY_EVERY = Duration.ofSeconds(2);

    private final MinioClient client;
    private final String bucket;
    private final int expirySeconds;
    private final WorkerConfig.Storage.Lifecycle lifecycle;
    private final int lifecycleDays;
    private volatile boolean bucketChecked;

    @Inject
    public MinioImageStore(WorkerConfig.Storage storage, WorkerConfig.Status status) {
        checkUrlExpiry(storage.urlExpiry(), status.ttl());
        // The region is set so the SDK does not ask the server for the bucket location first.
        this.client = MinioClient.builder().endpoint(storage.endpoint()).region(storage.region())
                .credentials(storage.accessKey(), storage.secretKey()).build();
        long timeoutMillis = storage.timeout().toMillis();
        this.client.setTimeout(timeoutMillis, timeoutMillis, timeoutMillis);
        this.bucket = storage.bucket();
        this.expirySeconds = (int) storage.urlExpiry().toSeconds();
        this.lifecycle = storage.lifecycle();
        this.lifecycleDays = BucketLifecycle.days(status.ttl());
    }

    /** A link may not outlive its image (deleted after the status TTL) nor exceed what S3 can sign. */
    static void checkUrlExpiry(Duration urlExpiry, Duration ttl) {
        if (urlExpiry.isNegative() || urlExpiry.isZero() || urlExpiry.compareTo(MAX_PRESIGN) > 0) {
            throw new IllegalArgumentException("sdq.storage.url-expiry must be positive and at most " + MAX_PRESIGN
                    + " (S3's limit for presigned URLs), was " + urlExpiry);
        }
        if (urlExpiry.compareTo(ttl) > 0) {
            throw new IllegalArgumentException("sdq.storage.url-expiry (" + urlExpiry + ") exceeds sdq.status.ttl ("
                    + ttl + "): a link would outlive its image, which the bucket lifecycle rule deletes after the TTL");
        }
    }

    @Override
    public ImageRef putPng(String jobId, int index, byte[] png, int width, int height, long seed)
            throws StorageException {
        String key = ImageStore.key(jobId, index);
        try {
            ensureBucket();
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .data(png, png.length).contentType(PNG).build());
            String url = client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Http.Method.GET)
                    .bucket(bucket).object(key).expiry(expirySeconds).build());
            return new ImageRef(url, bucket, key, width, height, seed, PNG);
        } catch (Exception e) {
            throw new StorageException("could not store s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the bucket and applies (or verifies) the lifecycle rule, trying again every 2 s while S3 does not
     * answer, up to {@code timeout}. An error answer (refused, not implemented, no rule under {@code verify}) is
     * final: it is a deployment problem that waiting does not fix.
     */
    public void prepare(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                ensureBucket();
                ensureLifecycle();
                return;
            } catch (ErrorResponseException e) {
                throw new IllegalStateException("S3 refused preparing bucket " + bucket + " (sdq.storage.lifecycle="
                        + lifecycle.name().toLowerCase(java.util.Locale.ROOT) + "): " + e.errorResponse().code() + ": "
                        + e.getMessage(), e);
            } catch (LifecycleMissingException e) {
                throw new IllegalStateException(e.getMessage(), e);
            } catch (Exception e) {
                // Anything else is S3 not answering (the SDK wraps a refused connection in IllegalStateException).
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("S3 did not answer within " + timeout.toSeconds()
                            + " s (sdq.storage.startup-timeout): " + e, e);
                }
                LOG.infof("waiting for S3: %s", e.toString());
                Thread.sleep(RETRY_EVERY.toMillis());
            }
        }
    }

    private void ensureLifecycle() throws Exception {
        switch (lifecycle) {
            case OFF -> LOG.warnf("sdq.storage.lifecycle=off: images in %s are never deleted by this worker", bucket);
            case VERIFY -> {
                java.util.Optional<String> problem = BucketLifecycle.verify(currentLifecycle(),
                        BucketLifecycle.days(Duration.ofSeconds(expirySeconds)), lifecycleDays);
                if (problem.isPresent()) {
                    throw new LifecycleMissingException("sdq.storage.lifecycle=verify: bucket " + bucket + ": "
                            + problem.get());
                }
                LOG.infof("bucket %s expires %s within %d day(s)", bucket, BucketLifecycle.PREFIX, lifecycleDays);
            }
            case APPLY -> {
                LifecycleConfiguration current = currentLifecycle();
                if (!BucketLifecycle.hasOurRule(current, lifecycleDays)) {
                    client.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket)
                            .config(BucketLifecycle.withOurRule(current, lifecycleDays)).build());
                }
                LOG.infof("bucket %s: lifecycle rule %s expires %s after %d day(s)", bucket, BucketLifecycle.RULE_ID,
                        BucketLifecycle.PREFIX, lifecycleDays);
            }
        }
    }

    /** The bucket's lifecycle configuration, or null if it has none. */
    private LifecycleConfiguration currentLifecycle() throws Exception {
        try {
            return client.getBucketLifecycle(GetBucketLifecycleArgs.builder().bucket(bucket).build());
        } catch (ErrorResponseException e) {
            if ("NoSuchLifecycleConfiguration".equals(e.errorResponse().code())) {
                return null;
            }
            throw e;
        }
    }

    /** Creates the bucket on first use (idempotent; a concurrent creator winning is fine). */
    private void ensureBucket() throws Exception {
        if (bucketChecked) {
            return;
        }
        synchronized (this) {
            if (!bucketChecked) {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    try {
                        client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                        LOG.infof("created bucket %s", bucket);
                    } catch (ErrorResponseException e) {
                        if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                            throw e;
                        }
                    }
                }
                bucketChecked = true;
            }
        }
    }

    /** The bucket's lifecycle rules do not do what {@code verify} requires: waiting does not fix it. */
    private static final class LifecycleMissingException extends Exception {
        private static final long serialVersionUID = 1L;

        LifecycleMissingException(String message) {
            super(message);
        }
    }

    @PreDestroy
    @Override
    public void close() throws Exception {
        client.close();
    }
}
