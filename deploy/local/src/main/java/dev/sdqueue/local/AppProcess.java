package dev.sdqueue.local;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Quarkus application (its runnable jar, e.g. {@link LocalSystem#workerJar}) run as a child JVM, the way
 * {@code ./sdq up} runs it: loopback HTTP on a free port (unless given), {@code HOME}, {@code user.home} and
 * {@code java.io.tmpdir} inside its own work dir (nothing lands under the real home), output appended to
 * {@code <workDir>/<name>.log}, stdin from /dev/null. Every signal goes to this child's own PID:
 *
 * <pre>{@code
 * try (AppProcess worker = AppProcess.builder("worker-1", jar, dir).properties(stack.quarkusConfig()).start()) {
 *     worker.awaitReady(Duration.ofMinutes(3));   // GET /q/health/ready answers 200
 *     worker.kill();                              // SIGKILL, like kill -9
 * }                                               // close(): SIGTERM, SIGKILL after 20 s
 * }</pre>
 */
public final class AppProcess implements AutoCloseable {
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(20);

    private final String name;
    private final Process process;
    private final int httpPort;
    private final Path log;

    private AppProcess(String name, Process process, int httpPort, Path log) {
        this.name = name;
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /** Starts building the launch of {@code jar} named {@code name} (log file name, marker) in {@code workDir}. */
    public static Builder builder(String name, Path jar, Path workDir) {
        return new Builder(name, jar, workDir);
    }

    /**
     * The argument on the command line of an app named {@code name} launched for {@code workDir}
     * ({@code -Dsdqueue.launcher.role=<name>@<workDir>}, outside {@code sdq.*}, whose unknown keys Quarkus rejects):
     * nothing is signalled by a recorded PID unless its process still carries it.
     */
    static String marker(String name, Path workDir) {
        return "-Dsdqueue.launcher.role=" + name + "@" + workDir.toAbsolutePath().normalize();
    }

    /** {@code builder(name, jar, workDir).properties(properties).start()}. */
    public static AppProcess start(String name, Path jar, Path workDir, Map<String, String> properties) {
        return builder(name, jar, workDir).properties(properties).start();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public int httpPort() {
        return httpPort;
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public URI uri(String path) {
        return URI.create("http://" + Ports.HOST + ":" + httpPort + path);
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** One probe of {@code /q/health/ready}: true on HTTP 200. */
    public boolean isReady() {
        return RecordedApp.probeReady(httpPort) == 200;
    }

    /**
     * Waits until {@code /q/health/ready} answers 200 (a worker: model loaded and warmed up, Kafka connected).
     * Fails with the log's tail if the process exits or the timeout passes.
     */
    public AppProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady()) {
            if (!process.isAlive()) {
                throw new LocalStackException(name + " (pid " + pid() + ") exited with " + process.exitValue()
                        + " before it was ready; last lines of " + log + ":\n" + tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException(name + " (pid " + pid() + ") not ready within " + timeout.toSeconds()
                        + " s; last lines of " + log + ":\n" + tail(40));
            }
            Ports.sleep(Duration.ofMillis(250));
        }
        return this;
    }

    /** SIGKILL to this PID ({@code kill -9}: no shutdown hook runs) and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10), "SIGKILL");
    }

    /**
     * SIGSTOP to this PID: the JVM freezes mid-instruction, sends and receives nothing, so what it published so far
     * can be inspected before deciding to {@link #kill()} or {@link #resume()} it.
     */
    public void suspend() {
        signal("STOP");
    }

    /** SIGCONT to this PID, undoing {@link #suspend()}. */
    public void resume() {
        signal("CONT");
    }

    /**
     * Graceful stop: SIGTERM to this PID (Quarkus runs its shutdown), SIGKILL if it is still running after
     * {@code grace}. Returns the exit code. A suspended process is resumed first, or SIGTERM would wait forever.
     */
    public int stop(Duration grace) {
        if (!process.isAlive()) {
            return process.exitValue();
        }
        signal("CONT");
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                awaitExit(Duration.ofSeconds(10), "SIGKILL after " + grace.toSeconds() + " s of SIGTERM");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while stopping " + name, e);
        }
    }

    /**
     * Stops {@code apps} together (SIGTERM to all first, so their shutdowns overlap instead of adding up; SIGKILL after
     * {@code grace}), then {@code stack} if not null. Tries every one; throws the first failure with the others
     * suppressed.
     */
    public static void stopAll(Collection<AppProcess> apps, Duration grace, LocalStack stack) {
        List<RuntimeException> failures = new ArrayList<>();
        apps.parallelStream().forEach(app -> {
            try {
                app.stop(grace);
            } catch (RuntimeException e) {
                synchronized (failures) {
                    failures.add(e);
                }
            }
        });
        if (stack != null) {
            try {
                stack.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** The last {@code lines} lines of the log (for error messages). */
    public String tail(int lines) {
        return ChildProcess.tail(log, lines);
    }

    /** {@link #stop(Duration)} with a 20 s grace period. Idempotent. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ", http " + httpPort + ")";
    }

    private void signal(String signal) {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || (kill.exitValue() != 0 && process.isAlive())) {
                throw new LocalStackException("kill -" + signal + " " + pid() + " failed for " + name);
            }
        } catch (IOException e) {
            throw new LocalStackException("cannot run kill -" + signal + " " + pid() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while signalling " + name, e);
        }
    }

    private void awaitExit(Duration timeout, String what) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LocalStackException(name + " (pid " + pid() + ") survived " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while waiting for " + name + " to exit", e);
        }
    }

    /** What to launch; {@link #start()} launches it. */
    public static final class Builder {
        private final String name;
        private final Path jar;
        private final Path workDir;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private int httpPort;
        private Path logFile;
        private Path homeDir;
        private Path tmpDir;
        private boolean detached;

        private Builder(String name, Path jar, Path workDir) {
            this.name = requireName(name);
            this.jar = Objects.requireNonNull(jar, "jar").toAbsolutePath().normalize();
            this.workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath().normalize();
        }

        /** A {@code -Dkey=value} system property (Quarkus reads its config from them). */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder properties(Map<String, String> values) {
            properties.putAll(values);
            return this;
        }

        /** An environment variable, e.g. a secret that should not show on the command line. */
        public Builder environment(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** A JVM option such as {@code -Xmx512m}, placed before the properties. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** The HTTP port ({@code quarkus.http.port}); default: a free one. */
        public Builder httpPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("httpPort must be in 1..65535, was " + port);
            }
            this.httpPort = port;
            return this;
        }

        /** Where output is appended; default {@code <workDir>/<name>.log}. */
        public Builder logFile(Path file) {
            this.logFile = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
            return this;
        }

        /** {@code HOME} and {@code user.home}; default the work dir. */
        public Builder homeDir(Path dir) {
            this.homeDir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
            return this;
        }

        /** {@code java.io.tmpdir}; default {@code <workDir>/tmp}. */
        public Builder tmpDir(Path dir) {
            this.tmpDir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
            return this;
        }

        /**
         * Runs the JVM in a session of its own ({@code setsid}, which execs: the PID stays the same), so it outlives
         * this JVM and a Ctrl-C in its terminal ({@code ./sdq up}). Stop it by PID and marker.
         */
        public Builder detached(boolean value) {
            this.detached = value;
            return this;
        }

        /** Launches the JVM (does not wait for readiness: see {@link AppProcess#awaitReady(Duration)}). */
        public AppProcess start() {
            if (!Files.isRegularFile(jar)) {
                throw new LocalStackException(jar + " is missing: package the project first (mvn -B install"
                        + " -DskipTests, or ./sdq up)");
            }
            int port = httpPort > 0 ? httpPort : Ports.freePorts(1)[0];
            Path tmp = tmpDir != null ? tmpDir : workDir.resolve("tmp");
            Path log = logFile != null ? logFile : workDir.resolve(name + ".log");
            Path home = homeDir != null ? homeDir : workDir;
            List<String> command = new ArrayList<>(ChildProcess.sessionPrefix(detached));
            command.add(ChildProcess.javaExecutable().toString());
            command.addAll(jvmOptions);
            // Same marker form as ./sdq's start_app: outside sdq.*, whose unknown keys Quarkus rejects.
            command.add(marker(name, workDir));
            command.add("-Duser.home=" + home);
            command.add("-Djava.io.tmpdir=" + tmp);
            command.add("-Dquarkus.http.host=" + Ports.HOST);
            command.add("-Dquarkus.http.port=" + port);
            properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-jar");
            command.add(jar.toString());
            try {
                Files.createDirectories(tmp);
                Files.createDirectories(home);
                Files.createDirectories(log.getParent());
                ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                Map<String, String> env = builder.environment();
                env.remove("JAVA_TOOL_OPTIONS");
                env.remove("JDK_JAVA_OPTIONS");
                env.put("HOME", home.toString());
                env.put("ORT_DISABLE_TELEMETRY", "1");
                env.putAll(environment);
                return new AppProcess(name, builder.start(), port, log);
            } catch (IOException e) {
                throw new LocalStackException("cannot start " + name + " from " + jar + ": " + e.getMessage(), e);
            }
        }

        private static String requireName(String name) {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-', was " + name);
            }
            return name;
        }
    }
}
