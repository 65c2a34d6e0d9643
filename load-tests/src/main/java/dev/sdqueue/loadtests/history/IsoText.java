package dev.sdqueue.loadtests.history;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.LocalDate;

/**
 * Fast text for the preload's JSON and headers, written without Jackson (25 M records must preload in minutes on two
 * cores) but character for character what the contract's mapping writes: instants as {@link java.time.Instant#toString()}
 * ({@code DateTimeFormatter.ISO_INSTANT}: seconds always, then 3, 6 or 9 fraction digits as needed), JSON strings
 * escaped (by Jackson's encoder), UUIDs and hex in lower case. {@code HistoryJobsTest} checks each against the JDK and Jackson.
 */
final class IsoText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private long cachedDay = Long.MIN_VALUE;
    private String cachedDate;

    /** Appends {@code epochSecond + nanos} as {@code Instant.toString()} does (years 0000-9999). */
    StringBuilder instant(StringBuilder out, long epochSecond, int nanos) {
        long day = Math.floorDiv(epochSecond, 86_400);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
        out.append(date(day)).append('T');
        two(out, secondOfDay / 3600).append(':');
        two(out, secondOfDay / 60 % 60).append(':');
        two(out, secondOfDay % 60);
        if (nanos > 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(out, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                digits(out, nanos / 1_000, 6);
            } else {
                digits(out, nanos, 9);
            }
        }
        return out.append('Z');
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'} (the {@code X-Amz-Date} of a presigned URL). */
    StringBuilder amzDate(StringBuilder out, long epochSecond) {
        long day = Math.floorDiv(epochSecond, 86_400);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
        String date = date(day);
        out.append(date, 0, 4).append(date, 5, 7).append(date, 8, 10).append('T');
        two(out, secondOfDay / 3600);
        two(out, secondOfDay / 60 % 60);
        two(out, secondOfDay % 60);
        return out.append('Z');
    }

    /** {@code yyyyMMdd}. */
    StringBuilder amzDay(StringBuilder out, long epochSecond) {
        String date = date(Math.floorDiv(epochSecond, 86_400));
        return out.append(date, 0, 4).append(date, 5, 7).append(date, 8, 10);
    }

    private String date(long day) {
        if (day != cachedDay) {
            cachedDate = LocalDate.ofEpochDay(day).toString();
            cachedDay = day;
        }
        return cachedDate;
    }

    private static StringBuilder two(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    private static void digits(StringBuilder out, int value, int width) {
        char[] text = new char[width];
        for (int i = width - 1; i >= 0; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        out.append(text);
    }

    /**
     * {@code micros / 1000.0} as {@link Double#toString(double)} writes it (what Jackson writes for a double) for
     * {@code 0 <= micros < 10^10}: the integer part, a point, the fraction without trailing zeros ({@code .0} if none).
     */
    static StringBuilder millis(StringBuilder out, long micros) {
        long whole = micros / 1000;
        int fraction = (int) (micros % 1000);
        out.append(whole).append('.');
        if (fraction == 0) {
            return out.append('0');
        }
        out.append((char) ('0' + fraction / 100));
        if (fraction % 100 != 0) {
            out.append((char) ('0' + fraction / 10 % 10));
            if (fraction % 10 != 0) {
                out.append((char) ('0' + fraction % 10));
            }
        }
        return out;
    }

    /** {@code msb, lsb} as a UUID string ({@code 8-4-4-4-12} lower-case hex), as {@code UUID.toString()}. */
    static StringBuilder uuid(StringBuilder out, long msb, long lsb) {
        hex(out, msb >>> 32, 8).append('-');
        hex(out, msb >>> 16, 4).append('-');
        hex(out, msb, 4).append('-');
        hex(out, lsb >>> 48, 4).append('-');
        return hex(out, lsb, 12);
    }

    /** The low {@code digits} hex digits of {@code value}, zero-padded. */
    static StringBuilder hex(StringBuilder out, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.append(HEX[(int) (value >>> shift) & 0xf]);
        }
        return out;
    }

    /** A JSON string literal (quotes included), escaped by Jackson's own encoder (the mapping's). */
    static StringBuilder jsonString(StringBuilder out, String value) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        return out.append('"');
    }
}
