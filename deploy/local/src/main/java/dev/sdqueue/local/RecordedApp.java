package dev.sdqueue.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An application of a {@link LocalSystem} as recorded in {@code <workDir>/run/<name>.pid} and {@code <name>.port}, so
 * another JVM ({@code ./sdq down}, {@code status}, a second {@code up}) finds it again. It is only ever signalled if
 * the recorded PID still carries the app's marker ({@link AppProcess#marker}) on its command line.
 */
record RecordedApp(String name, long pid, int port, Path workDir) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The app {@code name} recorded in {@code workDir}, if both files are there and readable. */
    static Optional<RecordedApp> read(Path workDir, String name) {
        Path run = workDir.resolve("run");
        try {
            long pid = Long.parseLong(Files.readString(run.resolve(name + ".pid")).strip());
            int port = Integer.parseInt(Files.readString(run.resolve(name + ".port")).strip());
            return Optional.of(new RecordedApp(name, pid, port, workDir));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Every app recorded in {@code workDir} (one {@code <name>.port} file each), the dispatcher first. */
    static List<RecordedApp> all(Path workDir) {
        List<RecordedApp> apps = new ArrayList<>();
        Path run = workDir.resolve("run");
        if (!Files.isDirectory(run)) {
            return apps;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(run, "*.port")) {
            for (Path file : files) {
                String name = file.getFileName().toString().replaceFirst("\\.port$", "");
                read(workDir, name).ifPresent(apps::add);
            }
        } catch (IOException e) {
            throw new LocalStackException("cannot list " + run + ": " + e.getMessage(), e);
        }
        apps.sort((a, b) -> a.isDispatcher() != b.isDispatcher() ? Boolean.compare(b.isDispatcher(), a.isDispatcher())
                : a.name().compareTo(b.name()));
        return apps;
    }

    void write() {
        Path run = workDir.resolve("run");
        try {
            Files.createDirectories(run);
            Files.writeString(run.resolve(name + ".pid"), pid + "\n");
            Files.writeString(run.resolve(name + ".port"), port + "\n");
        } catch (IOException e) {
            throw new LocalStackException("cannot record " + name + " under " + run + ": " + e.getMessage(), e);
        }
    }

    void delete() {
        Path run = workDir.resolve("run");
        try {
            Files.deleteIfExists(run.resolve(name + ".pid"));
            Files.deleteIfExists(run.resolve(name + ".port"));
        } catch (IOException e) {
            throw new LocalStackException("cannot delete the records of " + name + ": " + e.getMessage(), e);
        }
    }

    boolean isDispatcher() {
        return name.equals(LocalSystem.DISPATCHER);
    }

    /** The process, identified by PID and marker (a recycled PID is not ours). */
    ChildProcess process() {
        return new ChildProcess(name, pid, AppProcess.marker(name, workDir));
    }

    boolean isAlive() {
        return process().isAlive();
    }

    /** {@code http://127.0.0.1:<port>}. */
    String baseUrl() {
        return "http://" + Ports.HOST + ":" + port;
    }

    /** HTTP status of one {@code GET /q/health/ready} probe on {@code port}, or -1 if nothing answers. */
    static int probeReady(int port) {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + Ports.HOST + ":"
                    + port + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException notListening) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while probing port " + port, e);
        }
    }
}
