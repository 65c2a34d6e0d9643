package dev.sdqueue.models;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON writer with Python's {@code json.dumps} layout (what diffusers and transformers write):
 * {@link #pretty} = {@code indent=2}, {@link #compact} = default separators {@code ", "} and {@code ": "}.
 * Non-ASCII characters are written as UTF-8, keys in the maps' iteration order. Values: Map, List,
 * String, Number, Boolean, null.
 */
public final class Json {

    private Json() {
    }

    public static String pretty(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0, true);
        return out.append('\n').toString();
    }

    public static String compact(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0, false);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int depth, boolean pretty) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String text) {
            string(out, text);
        } else if (value instanceof Boolean bool) {
            out.append(bool);
        } else if (value instanceof Double || value instanceof Float) {
            out.append(number(((Number) value).doubleValue()));
        } else if (value instanceof Number number) {
            out.append(number.longValue());
        } else if (value instanceof Map<?, ?> map) {
            container(out, '{', '}', map.entrySet(), depth, pretty);
        } else if (value instanceof List<?> list) {
            container(out, '[', ']', list, depth, pretty);
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass());
        }
    }

    private static void container(StringBuilder out, char open, char close, Iterable<?> items, int depth, boolean pretty) {
        out.append(open);
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(pretty ? "," : ", ");
            }
            first = false;
            if (pretty) {
                out.append('\n').append("  ".repeat(depth + 1));
            }
            if (item instanceof Map.Entry<?, ?> entry) {
                string(out, String.valueOf(entry.getKey()));
                out.append(": ");
                write(out, entry.getValue(), depth + 1, pretty);
            } else {
                write(out, item, depth + 1, pretty);
            }
        }
        if (pretty && !first) {
            out.append('\n').append("  ".repeat(depth));
        }
        out.append(close);
    }

    /** Python's float repr: shortest round-trip digits, plain notation for 1e-4 <= |x| < 1e16. */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("JSON has no " + value);
        }
        BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        double magnitude = Math.abs(value);
        if (value == 0 || (magnitude >= 1e-4 && magnitude < 1e16)) {
            String plain = decimal.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        int exponent = decimal.precision() - decimal.scale() - 1;
        String mantissa = decimal.movePointLeft(exponent).toPlainString();
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
