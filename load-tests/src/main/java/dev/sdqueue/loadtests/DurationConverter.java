package dev.sdqueue.loadtests;

import java.time.Duration;
import picocli.CommandLine;

/** {@code 30s}, {@code 2m}, {@code 500ms}, {@code 1h}, ISO-8601 ({@code PT30S}) or plain seconds ({@code 30}). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String text = value.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (text.startsWith("pt")) {
                return Duration.parse(text.toUpperCase(java.util.Locale.ROOT));
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            double number = Double.parseDouble(text.replaceAll("[smh]$", ""));
            double seconds = switch (text.charAt(text.length() - 1)) {
                case 'm' -> number * 60;
                case 'h' -> number * 3600;
                default -> number;
            };
            return Duration.ofMillis(Math.round(seconds * 1000));
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("not a duration: '" + value
                    + "' (use e.g. 30s, 2m, 500ms, or seconds)");
        }
    }
}
