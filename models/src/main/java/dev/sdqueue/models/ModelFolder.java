package dev.sdqueue.models;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes a model folder so that readers never see a half-written one: the content goes to a temporary
 * sibling folder, which then replaces the target with (at most) two renames.
 */
public final class ModelFolder {

    /** Fills a fresh, empty folder. */
    @FunctionalInterface
    public interface Writer {
        void writeInto(Path emptyDir) throws IOException;
    }

    private ModelFolder() {
    }

    public static void writeAtomically(Path dir, Writer writer) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        String base = "." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-";
        Path staging = Files.createTempDirectory(parent, base);
        Path previous = null;
        try {
            writer.writeInto(staging);
            if (Files.exists(target)) {
                previous = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
                Files.delete(previous);
                move(target, previous);
            }
            move(staging, target);
        } finally {
            deleteRecursively(staging);
            deleteRecursively(previous);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Deletes a file tree; no-op for {@code null} or a missing path. Does not follow symbolic links. */
    public static void deleteRecursively(Path root) throws IOException {
        if (root == null || !Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
