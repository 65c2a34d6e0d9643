package dev.sdqueue.loadtests.history;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What starting one process showed: how it ended ({@link #status}), when it was ready and when it served the
 * history (seconds from its launch), its memory and CPU at those moments. Figures not reached stay NaN. Filled in
 * by {@link VariantRun} while it waits.
 */
final class Startup {
    static final String READY = "ready";
    static final String TIMEOUT = "timeout";
    static final String DIED = "died";
    static final String OOM = "oom";
    static final String SKIPPED = "skipped";

    final String name;
    String status = SKIPPED;
    String note;
    /** Launch to {@code /q/health/ready} = 200. */
    double readySeconds = Double.NaN;
    /** Dispatcher: launch to every late history id answered with its final status. */
    double servedSeconds = Double.NaN;
    /** Worker: launch to its {@code started} event of the job waiting in the queue (received by the bench). */
    double firstJobSeconds = Double.NaN;
    /** Worker: launch to that job's {@code completed} event. */
    double firstJobCompletedSeconds = Double.NaN;
    /** VmRSS when ready (a worker: when its first job started). */
    double rssAtReadyMb = Double.NaN;
    /** VmRSS a few seconds later ({@code --settle}). */
    double rssSettledMb = Double.NaN;
    /** Heap in use right after a forced full GC, taken after {@link #rssSettledMb}: what it keeps alive. */
    double liveHeapMb = Double.NaN;
    /** VmHWM at the end of the measurement: the highest RSS it had. */
    double peakRssMb = Double.NaN;
    /** CPU seconds (all threads) used from launch to ready. */
    double cpuSecondsToReady = Double.NaN;
    /** CPU seconds the broker used meanwhile (serving the replay, and whatever else ran). */
    double brokerCpuSecondsToReady = Double.NaN;
    Integer exitCode;
    List<String> logTail = List.of();

    Startup(String name) {
        this.name = name;
    }

    boolean ready() {
        return READY.equals(status);
    }

    /** A failed status ({@code timeout}, {@code died}, {@code oom}) or the figure, for tables and the last line. */
    String figure(double value, String format) {
        if (!Double.isNaN(value)) {
            return String.format(java.util.Locale.ROOT, format, value);
        }
        return ready() ? "n/a" : status;
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("status", status);
        if (note != null) {
            map.put("note", note);
        }
        map.put("readySeconds", round(readySeconds));
        map.put("servedSeconds", round(servedSeconds));
        map.put("firstJobSeconds", round(firstJobSeconds));
        map.put("firstJobCompletedSeconds", round(firstJobCompletedSeconds));
        map.put("rssAtReadyMb", round(rssAtReadyMb));
        map.put("rssSettledMb", round(rssSettledMb));
        map.put("liveHeapMb", round(liveHeapMb));
        map.put("peakRssMb", round(peakRssMb));
        map.put("cpuSecondsToReady", round(cpuSecondsToReady));
        map.put("brokerCpuSecondsToReady", round(brokerCpuSecondsToReady));
        map.put("exitCode", exitCode);
        if (!ready() && !logTail.isEmpty()) {
            map.put("logTail", logTail);
        }
        return map;
    }

    static Double round(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 1000) / 1000.0;
    }
}
