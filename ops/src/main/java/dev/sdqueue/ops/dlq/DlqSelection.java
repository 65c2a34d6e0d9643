package dev.sdqueue.ops.dlq;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which dead-letter records a command acts on: any of the given reasons (the {@code sdq-dlq-reason} header,
 * case-insensitive; {@code none} matches records without one), dead-lettered at or after {@code since}, and/or one
 * record or job ({@code partition:offset} or a job id). Empty criteria match everything.
 */
public record DlqSelection(List<String> reasons, Optional<Instant> since, Optional<String> id)
        implements Predicate<DlqRecord> {
    /** Matches records without an {@code sdq-dlq-reason} header (e.g. dead-lettered by SmallRye alone). */
    public static final String NO_REASON = "none";
    private static final Pattern LOCATION = Pattern.compile("(\\d+):(\\d+)");
    private static final Pattern RELATIVE = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    public DlqSelection {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        since = since == null ? Optional.empty() : since;
        id = id == null ? Optional.empty() : id;
    }

    public static DlqSelection all() {
        return new DlqSelection(List.of(), Optional.empty(), Optional.empty());
    }

    public boolean isEmpty() {
        return reasons.isEmpty() && since.isEmpty() && id.isEmpty();
    }

    @Override
    public boolean test(DlqRecord record) {
        if (!reasons.isEmpty()) {
            String reason = record.reason().orElse(NO_REASON);
            if (reasons.stream().noneMatch(r -> r.equalsIgnoreCase(reason))) {
                return false;
            }
        }
        if (since.isPresent() && record.timestamp().isBefore(since.get())) {
            return false;
        }
        return id.isEmpty() || matchesId(record, id.get());
    }

    /** {@code partition:offset}, else the record key or the value's jobId. */
    public static boolean matchesId(DlqRecord record, String id) {
        Matcher location = LOCATION.matcher(id);
        if (location.matches()) {
            return record.partition() == Integer.parseInt(location.group(1))
                    && record.offset() == Long.parseLong(location.group(2));
        }
        return record.jobId().filter(id::equals).isPresent();
    }

    /** The partition and offset of an id of the form {@code partition:offset}. */
    public static Optional<long[]> location(String id) {
        Matcher location = LOCATION.matcher(id);
        return location.matches()
                ? Optional.of(new long[] {Long.parseLong(location.group(1)), Long.parseLong(location.group(2))})
                : Optional.empty();
    }

    /**
     * A point in time: an ISO-8601 instant with offset ({@code 2026-11-26T13:00:00Z}), a date (midnight UTC),
     * or an age before {@code now}: {@code 90s}, {@code 15m}, {@code 2h}, {@code 1d12h}, or ISO {@code PT15M}.
     */
    public static Instant parseSince(String text, Instant now) {
        String t = text.strip();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException notAnInstant) {
            // try the other forms
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException notADate) {
            // try the other forms
        }
        if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return now.minus(Duration.parse(t.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
                throw badSince(text);
            }
        }
        Matcher relative = RELATIVE.matcher(t.toLowerCase(Locale.ROOT));
        if (!t.isEmpty() && relative.matches()) {
            Duration age = Duration.ZERO;
            long[] unitSeconds = {86_400, 3600, 60, 1};
            for (int g = 1; g <= 4; g++) {
                if (relative.group(g) != null) {
                    age = age.plusSeconds(Long.parseLong(relative.group(g)) * unitSeconds[g - 1]);
                }
            }
            return now.minus(age);
        }
        throw badSince(text);
    }

    private static IllegalArgumentException badSince(String text) {
        return new IllegalArgumentException("'" + text + "' is neither an instant (2026-11-26T13:00:00Z), a date "
                + "(2026-11-26) nor an age (90s, 15m, 2h, 1d12h, PT15M)");
    }
}
