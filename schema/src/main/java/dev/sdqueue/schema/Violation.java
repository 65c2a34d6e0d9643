package dev.sdqueue.schema;

/** One invalid field of a request: {@code field} is the JSON property name, {@code message} says what is wrong. */
public record Violation(String field, String message) {
}
