package dev.sdqueue.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server JVM of the stack, identified by PID plus a marker argument on its command line
 * ({@code -Dsdq.stack.role=<role>@<workDir>}), so a recycled PID is never mistaken for ours and never killed.
 */
record ChildProcess(String role, long pid, String marker) {
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    static String markerFor(String role, Path workDir) {
        return "-Dsdq.stack.role=" + role + "@" + workDir;
    }

    static Path javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new LocalStackException("no java executable at " + java);
        }
        return java;
    }

    /**
     * What goes before {@code java} on a command line: for a detached launch {@code setsid} (a session of its own, so
     * the JVM outlives its launcher and a Ctrl-C in its terminal; setsid execs, so the PID stays the same), if there.
     */
    static List<String> sessionPrefix(boolean detached) {
        return detached && Files.isExecutable(SETSID) ? List.of(SETSID.toString()) : List.of();
    }

    /**
     * Starts {@code java <jvmArgs> <marker> <mainAndArgs>} with the classpath in {@code CLASSPATH} (keeps the
     * command line short), output appended to {@code logFile}, stdin from /dev/null.
     *
     * @param detached start in a new session (setsid) so the server survives the launching JVM and a Ctrl-C
     *                 in its terminal; setsid execs (the JVM's child is no group leader), so the PID stays the same
     */
    static ChildProcess launch(String role, Path workDir, String classpath, List<String> jvmArgs,
            List<String> mainAndArgs, Path logFile, boolean detached) {
        String marker = markerFor(role, workDir);
        List<String> java = new ArrayList<>();
        java.add(javaExecutable().toString());
        java.addAll(jvmArgs);
        java.add(marker);
        java.addAll(mainAndArgs);

        List<String> command = new ArrayList<>(sessionPrefix(detached));
        command.addAll(java);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.put("CLASSPATH", classpath);
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        try {
            Process process = builder.start();
            return new ChildProcess(role, process.pid(), marker);
        } catch (IOException e) {
            throw new LocalStackException("cannot start " + role + ": " + e.getMessage(), e);
        }
    }

    /** The live process if it is still ours (same PID and marker on its command line). */
    Optional<ProcessHandle> handle() {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(line -> line.contains(marker)).orElse(false));
    }

    boolean isAlive() {
        return handle().isPresent();
    }

    /** SIGKILL (no shutdown hook runs, like a crash or the OOM killer) and waits until the process is gone. */
    void kill() {
        Optional<ProcessHandle> handle = handle();
        if (handle.isEmpty()) {
            return;
        }
        handle.get().destroyForcibly();
        if (!awaitExit(handle.get(), TimeUnit.SECONDS.toNanos(10))) {
            throw new LocalStackException(role + " (pid " + pid + ") survived SIGKILL");
        }
    }

    /** Sends SIGTERM to all, waits up to {@code grace} for a clean shutdown, then SIGKILLs what is left. */
    static void stopAll(List<ChildProcess> children, Duration grace) {
        List<ProcessHandle> handles = new ArrayList<>();
        for (ChildProcess child : children) {
            child.handle().ifPresent(handles::add);
        }
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : handles) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!awaitExit(handle, left)) {
                handle.destroyForcibly();
                if (!awaitExit(handle, TimeUnit.SECONDS.toNanos(10))) {
                    throw new LocalStackException("process " + handle.pid() + " survived SIGKILL");
                }
            }
        }
    }

    private static boolean awaitExit(ProcessHandle handle, long nanos) {
        try {
            handle.onExit().get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return !handle.isAlive();
        } catch (ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while stopping process " + handle.pid(), e);
        }
    }

    /** The last lines of a log file, for error messages. */
    static String tail(Path logFile, int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log at " + logFile + ")";
        }
    }
}
