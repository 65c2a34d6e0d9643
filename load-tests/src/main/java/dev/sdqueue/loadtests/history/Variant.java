package dev.sdqueue.loadtests.history;

import dev.sdqueue.local.LocalSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A build to measure: a checkout whose packaged dispatcher and worker jars run ({@code --variant NAME=HOME}, like
 * the duty bench's {@code --home}), with the commit it was built from when git can tell ({@code +dirty} when the
 * tree has changes).
 */
record Variant(String name, Path home, String commit) {
    /** {@code NAME=HOME}; HOME relative to the working directory. */
    static Variant parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("--variant wants NAME=HOME, was '" + spec + "'");
        }
        String name = spec.substring(0, eq).strip();
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a variant name is letters, digits, '.', '_', '-', was '" + name + "'");
        }
        return of(name, Path.of(spec.substring(eq + 1).strip()));
    }

    static Variant of(String name, Path home) {
        Path root = home.toAbsolutePath().normalize();
        return new Variant(name, root, commitOf(root));
    }

    Path dispatcherJar() {
        return LocalSystem.dispatcherJar(home);
    }

    Path workerJar() {
        return LocalSystem.workerJar(home);
    }

    /** The variant's own generated model if it has it, else {@code fallbackHome}'s. */
    Path modelDir(String model, Path fallbackHome) {
        Path own = LocalSystem.modelDir(home, model);
        return Files.isRegularFile(own.resolve("model_index.json")) ? own : LocalSystem.modelDir(fallbackHome, model);
    }

    /** What is missing to run it (empty when both jars are there). */
    List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (Path jar : List.of(dispatcherJar(), workerJar())) {
            if (!Files.isRegularFile(jar)) {
                missing.add(jar.toString());
            }
        }
        return missing;
    }

    static String commitOf(Path dir) {
        String head = git(dir, "rev-parse", "--short", "HEAD");
        if (head == null) {
            return "unknown";
        }
        String changes = git(dir, "status", "--porcelain", "--untracked-files=no");
        return changes == null || changes.isBlank() ? head : head + "+dirty";
    }

    private static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        String output = AppRun.output(command, 10, TimeUnit.SECONDS);
        return output == null ? null : output.strip();
    }
}
