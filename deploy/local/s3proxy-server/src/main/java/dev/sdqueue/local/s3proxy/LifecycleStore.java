package dev.sdqueue.local.s3proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Lifecycle configurations on disk, one {@code <bucket>.xml} per bucket (our own normalized XML), in a directory
 * under the S3 data dir so they live and die with the data. A PUT is written to a temp file, forced to disk and
 * moved into place atomically: a crash leaves the old or the new configuration, never half of one.
 */
final class LifecycleStore {
    /** The directory's name inside the filesystem backend's base dir; never a valid bucket name (leading dot). */
    static final String DIR_NAME = ".sdq-lifecycle";
    private static final String SUFFIX = ".xml";

    private final Path dir;

    LifecycleStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    Optional<LifecycleConfiguration> get(String bucket) {
        try {
            return Optional.of(LifecycleXml.parse(Files.readAllBytes(file(bucket))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lifecycle configuration of " + bucket, e);
        }
    }

    synchronized void put(String bucket, LifecycleConfiguration config) {
        try {
            createDir();
            Path target = file(bucket);
            Path temp = Files.createTempFile(dir, bucket + "-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, LifecycleXml.toXml(config), StandardCharsets.UTF_8);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            forceDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the lifecycle configuration of " + bucket, e);
        }
    }

    /** Returns whether there was one. */
    synchronized boolean delete(String bucket) {
        if (!storable(bucket)) {
            return false;
        }
        try {
            boolean existed = Files.deleteIfExists(file(bucket));
            if (existed) {
                forceDir();
            }
            return existed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the lifecycle configuration of " + bucket, e);
        }
    }

    /** The buckets that have a configuration, sorted. */
    List<String> buckets() {
        List<String> buckets = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return buckets;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                buckets.add(name.substring(0, name.length() - SUFFIX.length()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        buckets.sort(null);
        return buckets;
    }

    /** Bucket names are checked by the caller (S3 rules); this keeps any other name from leaving the directory. */
    private static boolean storable(String bucket) {
        return !bucket.isEmpty() && !bucket.startsWith(".") && !bucket.contains("/") && !bucket.contains("\\");
    }

    private Path file(String bucket) {
        if (!storable(bucket)) {
            throw new IllegalArgumentException("not a bucket name: " + bucket);
        }
        return dir.resolve(bucket + SUFFIX);
    }

    private void createDir() throws IOException {
        if (!Files.isDirectory(dir)) {
            // Owner-only like the buckets: the filesystem backend treats what "others" may read as public.
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    /** fsync the directory so the rename itself survives a power loss (best effort: not every FS allows it). */
    private void forceDir() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the data file itself was forced; this is only the extra mile
        }
    }
}
