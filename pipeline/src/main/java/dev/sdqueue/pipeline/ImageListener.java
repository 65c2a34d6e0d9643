package dev.sdqueue.pipeline;

/**
 * Called on the generating thread as soon as each image's PNG is encoded (before the next image is
 * decoded), e.g. to write or upload it while later images are still being produced. An exception
 * thrown here aborts the generation and propagates to the caller.
 */
@FunctionalInterface
public interface ImageListener {

    void onImage(GeneratedImage image);

    ImageListener NONE = image -> { };
}
