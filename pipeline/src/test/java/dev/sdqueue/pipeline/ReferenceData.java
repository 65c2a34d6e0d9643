package dev.sdqueue.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared reference data (diffusers trajectories, HF tokenizer cases). */
public final class ReferenceData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceData() {
    }

    /**
     * {@code -Dsdq.reference.dir} (set by the parent pom's surefire config), else
     * {@code ../shared/reference} next to the project root, found from the working directory.
     */
    public static Path dir() {
        String configured = System.getProperty("sdq.reference.dir");
        if (configured != null && !configured.isBlank()) {
            return requireDir(Path.of(configured));
        }
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("../shared/reference").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("reference data not found: set -Dsdq.reference.dir (searched up from " + here + ")");
    }

    public static Path file(String relative) {
        Path file = dir().resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing reference file " + file);
        }
        return file;
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path requireDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("sdq.reference.dir " + dir + " is not a directory");
        }
        return dir;
    }
}
