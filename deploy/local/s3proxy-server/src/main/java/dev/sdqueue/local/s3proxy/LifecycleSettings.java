package dev.sdqueue.local.s3proxy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Properties;

/**
 * The lifecycle extension's settings, read from the same properties as S3Proxy's.
 *
 * @param dayLength     how long a lifecycle "day" is: {@code P1D} for real use; tests scale it down (like Ceph
 *                      RGW's {@code rgw_lc_debug_interval}) so {@code Expiration/Days=1} passes in seconds
 * @param sweepInterval pause between two sweeps: 1 h for real days, 1/24 of a scaled day (at least 200 ms)
 * @param storeDir      where the configurations are kept: {@code <filesystem base dir>/.sdq-lifecycle}
 */
public record LifecycleSettings(Duration dayLength, Duration sweepInterval, Path storeDir) {
    public static final String DAY_LENGTH = "sdq.s3.lifecycle.day-length";
    public static final String SWEEP_INTERVAL = "sdq.s3.lifecycle.sweep-interval";
    public static final String STORE_DIR = "sdq.s3.lifecycle.dir";
    static final Duration MIN_DAY_LENGTH = Duration.ofMillis(100);
    static final Duration MIN_SWEEP_INTERVAL = Duration.ofMillis(200);

    public LifecycleSettings {
        if (dayLength.compareTo(MIN_DAY_LENGTH) < 0) {
            throw new IllegalArgumentException(DAY_LENGTH + " must be at least " + MIN_DAY_LENGTH + ", was " + dayLength);
        }
        if (sweepInterval.compareTo(MIN_SWEEP_INTERVAL) < 0) {
            throw new IllegalArgumentException(SWEEP_INTERVAL + " must be at least " + MIN_SWEEP_INTERVAL + ", was "
                    + sweepInterval);
        }
    }

    /** The default sweep interval for a day length: a 24th of it (1 h for a real day), at least 200 ms. */
    public static Duration defaultSweepInterval(Duration dayLength) {
        Duration interval = dayLength.dividedBy(24);
        return interval.compareTo(MIN_SWEEP_INTERVAL) < 0 ? MIN_SWEEP_INTERVAL : interval;
    }

    static LifecycleSettings from(Properties properties) {
        Duration day = duration(properties, DAY_LENGTH, "P1D");
        String interval = properties.getProperty(SWEEP_INTERVAL);
        Duration sweep = interval == null || interval.isBlank() ? defaultSweepInterval(day)
                : duration(properties, SWEEP_INTERVAL, null);
        String dir = properties.getProperty(STORE_DIR);
        if (dir == null || dir.isBlank()) {
            String baseDir = properties.getProperty("jclouds.filesystem.basedir");
            if (baseDir == null || baseDir.isBlank()) {
                throw new IllegalArgumentException("set " + STORE_DIR + " (or use the filesystem backend, whose"
                        + " jclouds.filesystem.basedir holds the lifecycle configurations)");
            }
            dir = Path.of(baseDir).resolve(LifecycleStore.DIR_NAME).toString();
        }
        return new LifecycleSettings(day, sweep, Path.of(dir));
    }

    private static Duration duration(Properties properties, String key, String fallback) {
        String value = properties.getProperty(key, fallback);
        try {
            return Duration.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as P1D or PT2S, was " + value);
        }
    }
}
