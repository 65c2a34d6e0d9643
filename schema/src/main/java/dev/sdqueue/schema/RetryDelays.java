package dev.sdqueue.schema;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The delays of the delayed-retry topics, as one comma-separated setting ({@code sdq.retry.delays} on a worker):
 * each delay is a topic {@code sdq.generation.requests_retry_<ms>} ({@link Topics#retry}) that a deployment creates
 * and the worker's request channel reads. Parsed here once for every user: the worker's decision table and channel,
 * the local stack's topic creation.
 */
public final class RetryDelays {
    /** The default: retries after 10 s, 1 min and 5 min. */
    public static final String DEFAULT = "10s,60s,300s";
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private RetryDelays() {
    }

    /** {@code "10s,60s,300s"}; each entry {@code <n>ms|s|m|h} (plain digits are seconds) or ISO-8601 ({@code PT1M}). */
    public static List<Duration> parse(String spec) {
        List<Duration> delays = new ArrayList<>();
        for (String entry : spec.split(",")) {
            String trimmed = entry.trim();
            if (!trimmed.isEmpty()) {
                delays.add(parseDuration(trimmed));
            }
        }
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("at least one retry delay is needed, got '" + spec + "'");
        }
        for (Duration delay : delays) {
            if (delay.toMillis() < 1) {
                throw new IllegalArgumentException("retry delays must be at least 1 ms, got '" + spec + "'");
            }
        }
        return List.copyOf(delays);
    }

    /** One duration: {@code <n>ms|s|m|h} (plain digits are seconds) or ISO-8601. */
    public static Duration parseDuration(String text) {
        Matcher m = SIMPLE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 500ms, 10s, 5m, 1h, PT30S)", e);
        }
    }

    /** The retry topics of these delays, in order. */
    public static List<String> topics(List<Duration> delays) {
        return delays.stream().map(delay -> Topics.retry(delay.toMillis())).toList();
    }
}
