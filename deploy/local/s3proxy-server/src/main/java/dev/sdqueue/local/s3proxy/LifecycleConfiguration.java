package dev.sdqueue.local.s3proxy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A bucket's lifecycle configuration: its rules in request order. */
public record LifecycleConfiguration(List<LifecycleRule> rules) {

    public LifecycleConfiguration {
        rules = List.copyOf(rules);
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("a lifecycle configuration has at least one rule");
        }
    }

    /** The earliest due time among the enabled rules that match {@code key}; empty if none matches. */
    public Optional<Instant> expiresAt(String key, Instant written, Duration dayLength) {
        return rules.stream().filter(rule -> rule.appliesTo(key))
                .map(rule -> rule.expiresAt(written, dayLength)).min(Instant::compareTo);
    }

    /** The prefixes to list for the enabled rules, without one that another already covers (empty = none enabled). */
    public List<String> enabledPrefixes() {
        List<String> prefixes = rules.stream().filter(LifecycleRule::enabled).map(LifecycleRule::prefix)
                .distinct().toList();
        return prefixes.stream()
                .filter(p -> prefixes.stream().noneMatch(other -> !other.equals(p) && p.startsWith(other)))
                .sorted().toList();
    }
}
