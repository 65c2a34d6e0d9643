package dev.sdqueue.loadtests.ingest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JVM spent its CPU, from a Flight Recorder file ({@code --profile}: the dispatcher runs with
 * {@code -XX:StartFlightRecording}): execution samples counted by top frame (self time) and by package of the top
 * frame, largest first.
 */
public final class JfrHotMethods {
    /**
     * Sample counts: by method (self), by package of the top frame, and by the first frame outside the JDK (so a
     * HashMap lookup counts for the library that made it).
     */
    public record Profile(long samples, Map<String, Long> methods, Map<String, Long> packages,
                          Map<String, Long> libraries) {
    }

    private JfrHotMethods() {
    }

    public static Profile read(Path recording, int top) throws IOException {
        Map<String, Long> methods = new HashMap<>();
        Map<String, Long> packages = new HashMap<>();
        Map<String, Long> libraries = new HashMap<>();
        long samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            RecordedFrame frame = frames.get(0);
            String type = frame.getMethod().getType().getName();
            methods.merge(type + "." + frame.getMethod().getName(), 1L, Long::sum);
            int dot = type.lastIndexOf('.');
            packages.merge(dot < 0 ? type : packageGroup(type.substring(0, dot)), 1L, Long::sum);
            String library = "(JDK only)";
            for (RecordedFrame f : frames) {
                String owner = f.getMethod().getType().getName();
                if (!owner.startsWith("java.") && !owner.startsWith("jdk.") && !owner.startsWith("sun.")) {
                    int last = owner.lastIndexOf('.');
                    library = last < 0 ? owner : packageGroup(owner.substring(0, last));
                    break;
                }
            }
            libraries.merge(library, 1L, Long::sum);
        }
        return new Profile(samples, top(methods, top), top(packages, top), top(libraries, top));
    }

    /** The first three package levels ({@code io.netty.handler}), enough to tell the libraries apart. */
    static String packageGroup(String pkg) {
        String[] parts = pkg.split("\\.");
        return String.join(".", java.util.Arrays.copyOf(parts, Math.min(3, parts.length)));
    }

    private static Map<String, Long> top(Map<String, Long> counts, int top) {
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }
}
