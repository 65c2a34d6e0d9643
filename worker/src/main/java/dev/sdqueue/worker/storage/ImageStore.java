package dev.sdqueue.worker.storage;

import dev.sdqueue.schema.ImageRef;

/** Where finished images go. Keys are deterministic so a redelivered job overwrites instead of duplicating. */
public interface ImageStore {

    /** Stores a PNG under {@code generations/<jobId>/<index>.png} and returns its reference with a presigned link. */
    ImageRef putPng(String jobId, int index, byte[] png, int width, int height, long seed) throws StorageException;

    static String key(String jobId, int index) {
        return "generations/" + jobId + "/" + index + ".png";
    }

    /** The store could not be reached or refused the write; the job may succeed on a later attempt. */
    final class StorageException extends Exception {
        public StorageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
