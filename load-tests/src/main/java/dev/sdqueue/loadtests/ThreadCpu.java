package dev.sdqueue.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time per thread of a Linux process, from {@code /proc/<pid>/task/<tid>/stat} (utime + stime, in clock ticks of
 * 10 ms), grouped by thread name with trailing numbers folded ({@code vert.x-eventloop-thread-1} and {@code -0}
 * count together). Two snapshots give what each kind of thread did in between: the thread model under load.
 */
public final class ThreadCpu {
    private static final double TICK_SECONDS = 0.01; // USER_HZ is 100 on Linux

    private ThreadCpu() {
    }

    /** CPU seconds by thread group, now; empty where /proc cannot be read (not Linux). */
    public static Map<String, Double> snapshot(long pid) {
        Map<String, Double> byGroup = new HashMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close);
                    String[] fields = stat.substring(close + 2).split(" ");
                    // fields[0] is the state (field 3); utime and stime are fields 14 and 15
                    double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_SECONDS;
                    byGroup.merge(group(name), seconds, Double::sum);
                } catch (IOException | RuntimeException threadGone) {
                    // the thread ended between list and read
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return byGroup;
    }

    /** {@code after - before} per group, largest first. */
    public static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> delta = new HashMap<>();
        after.forEach((group, seconds) -> delta.put(group, seconds - before.getOrDefault(group, 0.0)));
        Map<String, Double> sorted = new LinkedHashMap<>();
        delta.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }

    static String group(String threadName) {
        return threadName.replaceAll("[-#_ ]?\\d+$", "").replaceAll("\\d+$", "");
    }
}
