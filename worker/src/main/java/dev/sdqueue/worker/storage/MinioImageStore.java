package dev.sdqueue.worker.storage;

import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.worker.WorkerConfig;
import io.minio.BucketExistsArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** S3 (MinIO, S3Proxy, AWS) through the MinIO Java SDK. */
@Singleton
public final class MinioImageStore implements ImageStore {
    private static final Logger LOG = Logger.getLogger(MinioImageStore.class);
    private static final String PNG = "image/png";

    private final MinioClient client;
    private final String bucket;
    private final int expirySeconds;
    private volatile boolean bucketChecked;

    public MinioImageStore(WorkerConfig.Storage storage) {
        // The region is set so the SDK does not ask the server for the bucket location first.
        this.client = MinioClient.builder().endpoint(storage.endpoint()).region(storage.region())
                .credentials(storage.accessKey(), storage.secretKey()).build();
        long timeoutMillis = storage.timeout().toMillis();
        this.client.setTimeout(timeoutMillis, timeoutMillis, timeoutMillis);
        this.bucket = storage.bucket();
        this.expirySeconds = (int) Math.min(storage.urlExpiry().toSeconds(), TimeUnit.DAYS.toSeconds(7));
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
                    } catch (io.minio.errors.ErrorResponseException e) {
                        if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                            throw e;
                        }
                    }
                }
                bucketChecked = true;
            }
        }
    }

    @PreDestroy
    void close() throws Exception {
        client.close();
    }
}
