package dev.sdqueue.worker.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prometheus {@code sdq_process_resident_memory_bytes}: the worker's resident set (VmRSS), which covers what the JVM
 * heap metrics do not: ONNX Runtime's native arenas and the model weights. NaN where /proc is not there.
 */
@Singleton
public final class ResidentMemoryGauge {
    static final String METRIC = "sdq.process.resident.memory";
    private static final Path STATUS = Path.of("/proc/self/status");

    void register(@Observes StartupEvent startup, MeterRegistry registry) {
        Gauge.builder(METRIC, ResidentMemoryGauge::residentBytes).baseUnit("bytes")
                .description("resident set size of the worker process (VmRSS)").register(registry);
    }

    /** VmRSS of this process in bytes, or NaN if it cannot be read. */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024.0; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
