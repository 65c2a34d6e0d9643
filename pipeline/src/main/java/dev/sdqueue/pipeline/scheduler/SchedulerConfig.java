package dev.sdqueue.pipeline.scheduler;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A diffusers {@code scheduler_config.json}: key/value pairs with diffusers' snake_case names.
 * Values are what JSON gives (Number, Boolean, String, List, or null). A scheduler resolves it
 * against its own class defaults ({@link #resolve}), exactly like diffusers' {@code from_config}:
 * keys the class does not know are ignored, keys the file lacks take the class default.
 */
public record SchedulerConfig(Map<String, Object> values) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SchedulerConfig {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static SchedulerConfig empty() {
        return new SchedulerConfig(Map.of());
    }

    public static SchedulerConfig read(Path file) {
        try {
            return new SchedulerConfig(JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() { }));
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("scheduler config missing: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scheduler config " + file + ": " + e.getMessage(), e);
        }
    }

    public static SchedulerConfig parse(String json) {
        try {
            return new SchedulerConfig(JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { }));
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid scheduler config JSON: " + e.getMessage(), e);
        }
    }

    /** {@code _class_name}, e.g. "PNDMScheduler", or null. */
    public String className() {
        Object v = values.get("_class_name");
        return v == null ? null : v.toString();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** A copy with {@code key} set (null allowed, meaning Python's None). */
    public SchedulerConfig with(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new SchedulerConfig(copy);
    }

    public SchedulerConfig withAll(Map<String, ?> overrides) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.putAll(overrides);
        return new SchedulerConfig(copy);
    }

    /** The class's effective config: its defaults, overridden by the keys of this file it knows. */
    public SchedulerConfig resolve(Map<String, Object> classDefaults) {
        Map<String, Object> out = new LinkedHashMap<>(classDefaults);
        for (String key : classDefaults.keySet()) {
            if (values.containsKey(key)) {
                out.put(key, values.get(key));
            }
        }
        return new SchedulerConfig(out);
    }

    public String string(String key, String fallback) {
        Object v = values.get(key);
        return v == null ? fallback : v.toString();
    }

    public int integer(String key, int fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        double d = toDouble(key, v);
        if (d != Math.rint(d)) {
            throw new IllegalArgumentException("scheduler config '" + key + "' must be an integer, got " + v);
        }
        return (int) d;
    }

    public double number(String key, double fallback) {
        Object v = values.get(key);
        return v == null ? fallback : toDouble(key, v);
    }

    public boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("scheduler config '" + key + "' must be true/false, got " + v);
    }

    /** A list of numbers (e.g. trained_betas), or null when absent/null. */
    public double[] numbers(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException("scheduler config '" + key + "' must be a list, got " + v);
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toDouble(key, list.get(i));
        }
        return out;
    }

    private static double toDouble(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            // Python's float("inf") / float("-inf") as written by some exporters.
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "inf", "+inf", "infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-inf", "-infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        // fall through to the error below
                    }
                }
            }
        }
        throw new IllegalArgumentException("scheduler config '" + key + "' must be a number, got " + v);
    }
}
