package dev.sdqueue.local.s3proxy;

import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;

/**
 * The filesystem backend with our lifecycle directory kept out of sight: ListBuckets does not show it (the backend
 * lists every directory of its base dir as a bucket), and deleting a bucket deletes its lifecycle configuration,
 * as in S3, so a new bucket of the same name does not inherit old rules.
 */
final class LifecycleBlobStore extends ForwardingBlobStore {
    private final LifecycleStore store;

    LifecycleBlobStore(BlobStore delegate, LifecycleStore store) {
        super(delegate);
        this.store = store;
    }

    @Override
    public ListBucketsResponse list() {
        ListBucketsResponse all = super.list();
        return all.toBuilder()
                .buckets(all.buckets().stream().filter(b -> !b.name().equals(LifecycleStore.DIR_NAME)).toList())
                .build();
    }

    @Override
    public void deleteBucket(String container) {
        super.deleteBucket(container);
        store.delete(container);
    }

    @Override
    public void deleteContainer(String container) {
        super.deleteContainer(container);
        store.delete(container);
    }
}
