package dev.sdqueue.worker.job;

import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.worker.storage.ImageStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Encodes a job's images as PNG and stores them, one after the other, timing both. */
final class ImageUploader {
    private final ImageStore store;
    private final StageRecorder stages;

    ImageUploader(ImageStore store, StageRecorder stages) {
        this.store = store;
        this.stages = stages;
    }

    /** The stored images, in order, and the time spent encoding and uploading them. */
    record Uploaded(List<ImageRef> images, Duration pngEncode, Duration upload) {
    }

    Uploaded upload(String jobId, List<ImageGenerator.Image> images) throws ImageStore.StorageException {
        long pngNanos = 0;
        long uploadNanos = 0;
        List<ImageRef> stored = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            ImageGenerator.Image image = images.get(i);
            long t0 = System.nanoTime();
            byte[] png = image.png().encode();
            long t1 = System.nanoTime();
            stored.add(store.putPng(jobId, i, png, image.width(), image.height(), image.seed()));
            pngNanos += t1 - t0;
            uploadNanos += System.nanoTime() - t1;
        }
        stages.record(Stage.PNG, pngNanos);
        stages.record(Stage.UPLOAD, uploadNanos);
        return new Uploaded(stored, Duration.ofNanos(pngNanos), Duration.ofNanos(uploadNanos));
    }
}
