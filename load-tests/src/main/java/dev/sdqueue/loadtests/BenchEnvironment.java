package dev.sdqueue.loadtests;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Where a bench runs from: the repository root ({@code -Dsdq.home}, else searched upwards) and its outputs. */
public final class BenchEnvironment {
    private BenchEnvironment() {
    }

    /** The repository root: {@code explicit} if given, else {@code -Dsdq.home}, else the nearest parent with one. */
    public static Path home(Path explicit) {
        if (explicit != null) {
            return requireRoot(explicit.toAbsolutePath().normalize());
        }
        String property = System.getProperty("sdq.home");
        if (property != null && !property.isBlank()) {
            return requireRoot(Path.of(property).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        throw new IllegalArgumentException("cannot find the sdqueue repository root; use --home or -Dsdq.home");
    }

    /** Reports go to {@code <home>/.sdq/bench} unless told otherwise. */
    public static Path reportBase(Path home, Path explicit) {
        return explicit != null ? explicit.toAbsolutePath().normalize() : home.resolve(".sdq/bench");
    }

    private static Path requireRoot(Path dir) {
        if (!isRoot(dir)) {
            throw new IllegalArgumentException(dir + " is not the sdqueue repository root (no deploy/local/pom.xml)");
        }
        return dir;
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("pom.xml")) && Files.isRegularFile(dir.resolve("deploy/local/pom.xml"));
    }

    /**
     * Deletes the data a private system's broker and S3Proxy wrote under {@code systemDir} (it can be hundreds of
     * MB after an ingest run), keeping every log.
     */
    public static void deleteStackData(Path systemDir) throws IOException {
        for (String data : new String[] {"kafka", "s3"}) {
            Path dir = systemDir.resolve(data);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    Files.delete(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }
}
