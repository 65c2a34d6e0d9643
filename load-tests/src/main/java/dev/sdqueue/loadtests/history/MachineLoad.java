package dev.sdqueue.loadtests.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What else the machine was doing: {@code /proc/loadavg} and {@code /proc/meminfo} (Linux), read at the edges of
 * each phase so a report says how busy the shared machine was; and the memory of one process from
 * {@code /proc/<pid>/status}.
 */
final class MachineLoad {
    private MachineLoad() {
    }

    /** The 1, 5 and 15 minute load averages, e.g. {@code "1.52 0.97 0.61"}; {@code "?"} when unreadable. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Cores, memory and load now, for the report's header. */
    static Map<String, Object> snapshot() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("cores", Runtime.getRuntime().availableProcessors());
        map.put("memTotalMb", meminfoMb("MemTotal"));
        map.put("memAvailableMb", meminfoMb("MemAvailable"));
        map.put("loadAverage", loadAverage());
        return map;
    }

    private static long meminfoMb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return -1;
    }

    /**
     * {@code VmRSS} (resident now) and {@code VmHWM} (the peak resident) of {@code pid} in MiB from
     * {@code /proc/<pid>/status}; NaN for a process that is gone.
     */
    record Memory(double rssMb, double peakRssMb) {
        static final Memory GONE = new Memory(Double.NaN, Double.NaN);
    }

    static Memory memory(long pid) {
        try {
            double rss = Double.NaN;
            double hwm = Double.NaN;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kbField(line) / 1024.0;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kbField(line) / 1024.0;
                }
            }
            return new Memory(rss, hwm);
        } catch (IOException | RuntimeException e) {
            return Memory.GONE;
        }
    }

    static long kbField(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    /** CPU seconds (user + system, all threads) {@code pid} has used so far; NaN when unknown. */
    static double cpuSeconds(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9)
                .orElse(Double.NaN);
    }
}
