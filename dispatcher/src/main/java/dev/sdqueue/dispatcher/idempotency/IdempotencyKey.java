package dev.sdqueue.dispatcher.idempotency;

import dev.sdqueue.schema.Violation;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The value of an {@code Idempotency-Key} request header (draft-ietf-httpapi-idempotency-key-header: an RFC 8941
 * sf-string, so {@code "abc"}; the bare form {@code abc} that many clients send is accepted too). The job id is
 * derived from it: {@link #jobId(int)} is the same in every replica and after every restart.
 */
public record IdempotencyKey(String value) {
    public static final String HEADER = "Idempotency-Key";
    public static final int MAX_LENGTH = 255;
    /** Enough for UUIDs, ULIDs, base64/base64url and composed ids like {@code order-17:v2}; no spaces, quotes,
     * commas (a comma would read as two header values) or control characters. */
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._~:+/=@-]+");
    /** Namespace of job ids derived from idempotency keys (a fixed random UUID; changing it changes every id). */
    static final UUID NAMESPACE = UUID.fromString("7bac12a0-7397-4fc2-8ba6-d108d5007d68");

    public IdempotencyKey {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !ALLOWED.matcher(value).matches()) {
            throw new IllegalArgumentException("not a valid idempotency key: " + value);
        }
    }

    /** What the request carried: no key, a valid one, or a violation naming the header. */
    public sealed interface Header permits Absent, Valid, Invalid {
    }

    public record Absent() implements Header {
    }

    public record Valid(IdempotencyKey key) implements Header {
    }

    public record Invalid(Violation violation) implements Header {
    }

    /** Reads the header's values (one per header line; null or empty list when absent). */
    public static Header parse(List<String> values) {
        if (values == null || values.isEmpty()) {
            return new Absent();
        }
        if (values.size() > 1) {
            return invalid("must be sent once, was sent " + values.size() + " times");
        }
        String raw = values.get(0) == null ? "" : values.get(0).strip();
        String key = raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")
                ? raw.substring(1, raw.length() - 1) : raw;
        if (key.isEmpty()) {
            return invalid("must not be empty; send a unique value per operation, e.g. a UUID");
        }
        if (key.length() > MAX_LENGTH) {
            return invalid("must be at most " + MAX_LENGTH + " characters, was " + key.length());
        }
        if (!ALLOWED.matcher(key).matches()) {
            return invalid("may contain only letters, digits and . _ ~ : + / = @ - (e.g. a UUID), was "
                    + excerpt(raw));
        }
        return new Valid(new IdempotencyKey(key));
    }

    /**
     * The job id for this key. {@code generation} 0 is the key's first job; once that is older than the window, a
     * reuse of the key gets generation 1, and so on (a space separates them: keys contain none).
     */
    public String jobId(int generation) {
        String name = generation == 0 ? value : value + " " + generation;
        return NameBasedUuid.v5(NAMESPACE, name).toString();
    }

    /**
     * The job id of item {@code item} (0-based) of a batch sent with this key: {@code v5(key + "[" + item + "]")},
     * then {@code + " " + generation} like {@link #jobId(int)}. {@code [} is not allowed in keys, so no single
     * request's key (and no other item) derives the same id; a retried batch derives the same ids item by item.
     */
    public String itemJobId(int item, int generation) {
        if (item < 0) {
            throw new IllegalArgumentException("item index must be 0 or more, was " + item);
        }
        String name = value + "[" + item + "]" + (generation == 0 ? "" : " " + generation);
        return NameBasedUuid.v5(NAMESPACE, name).toString();
    }

    private static Invalid invalid(String message) {
        return new Invalid(new Violation(HEADER, message));
    }

    private static String excerpt(String raw) {
        StringBuilder shown = new StringBuilder("\"");
        raw.codePoints().limit(40).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                shown.append(String.format("\\u%04x", c));
            } else {
                shown.appendCodePoint(c);
            }
        });
        return shown.append(raw.codePointCount(0, raw.length()) > 40 ? "...\"" : "\"").toString();
    }
}
