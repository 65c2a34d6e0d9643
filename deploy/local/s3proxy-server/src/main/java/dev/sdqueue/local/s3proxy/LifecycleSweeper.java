package dev.sdqueue.local.s3proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Enforces the stored lifecycle rules: every {@code interval} it lists, per bucket with a configuration, the
 * objects under the prefixes of its enabled rules and deletes those whose due time (see
 * {@link LifecycleRule#expiresAt}) has passed, through the blob store API so S3Proxy's view stays consistent.
 * An object is thus gone at most one interval (plus the sweep itself) after it is due; S3 also deletes
 * asynchronously, typically within a day.
 */
final class LifecycleSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleSweeper.class);

    /** What one sweep did. */
    record Sweep(int buckets, int checked, int expired) {
    }

    private final BlobStore blobStore;
    private final LifecycleStore store;
    private final Duration dayLength;
    private final Clock clock;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sdq-lifecycle-sweeper");
        thread.setDaemon(true);
        return thread;
    });
    private long sweeps;

    LifecycleSweeper(BlobStore blobStore, LifecycleStore store, Duration dayLength, Clock clock) {
        this.blobStore = blobStore;
        this.store = store;
        this.dayLength = dayLength;
        this.clock = clock;
    }

    /** Sweeps now and then every {@code interval} (fixed delay: sweeps never overlap). */
    void start(Duration interval) {
        executor.scheduleWithFixedDelay(this::sweepLogged, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sweepLogged() {
        long begin = System.nanoTime();
        try {
            Sweep sweep = sweep();
            sweeps++;
            LOG.info("lifecycle sweep #{}: {} bucket(s) with rules, {} object(s) checked, {} expired in {} ms"
                    + " (day length {})", sweeps, sweep.buckets(), sweep.checked(), sweep.expired(),
                    (System.nanoTime() - begin) / 1_000_000, dayLength);
        } catch (RuntimeException e) {
            // Keep the schedule alive: one failed sweep (a bucket deleted meanwhile, an I/O error) must not end them.
            LOG.error("lifecycle sweep failed", e);
        }
    }

    /** One pass over every bucket with a lifecycle configuration. */
    Sweep sweep() {
        int buckets = 0;
        int checked = 0;
        int expired = 0;
        for (String bucket : store.buckets()) {
            try {
                Optional<LifecycleConfiguration> config = store.get(bucket);
                if (config.isEmpty() || !blobStore.containerExists(bucket)) {
                    continue;
                }
                buckets++;
                Sweep one = sweep(bucket, config.get());
                checked += one.checked();
                expired += one.expired();
            } catch (RuntimeException e) {
                // One broken bucket (deleted meanwhile, unreadable configuration) must not stop the others.
                LOG.warn("lifecycle sweep of bucket {} failed: {}", bucket, e.toString());
            }
        }
        return new Sweep(buckets, checked, expired);
    }

    private Sweep sweep(String bucket, LifecycleConfiguration config) {
        int checked = 0;
        int expired = 0;
        Set<String> seen = new HashSet<>();
        for (String prefix : config.enabledPrefixes()) {
            String token = null;
            do {
                ListObjectsV2Response page = blobStore.list(ListObjectsV2Request.builder()
                        .bucket(bucket).prefix(prefix.isEmpty() ? null : prefix).continuationToken(token).build());
                for (S3Object object : page.contents()) {
                    if (seen.add(object.key())) {
                        checked++;
                        if (expireIfDue(bucket, object, config)) {
                            expired++;
                        }
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        }
        return new Sweep(1, checked, expired);
    }

    private boolean expireIfDue(String bucket, S3Object object, LifecycleConfiguration config) {
        Instant now = clock.instant();
        if (object.lastModified() == null || !isDue(config, object.key(), object.lastModified(), now)) {
            return false;
        }
        // Look again right before deleting: the key may have been written anew since it was listed.
        HeadObjectResponse current = blobStore.blobMetadataIfPresent(bucket, object.key());
        if (current == null || current.lastModified() == null
                || !isDue(config, object.key(), current.lastModified(), now)) {
            return false;
        }
        blobStore.removeBlob(bucket, object.key());
        LOG.info("lifecycle: expired {}/{} (last modified {}, due {})", bucket, object.key(),
                current.lastModified(), config.expiresAt(object.key(), current.lastModified(), dayLength).orElseThrow());
        return true;
    }

    private boolean isDue(LifecycleConfiguration config, String key, Instant written, Instant now) {
        return config.expiresAt(key, written, dayLength).map(due -> !due.isAfter(now)).orElse(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
