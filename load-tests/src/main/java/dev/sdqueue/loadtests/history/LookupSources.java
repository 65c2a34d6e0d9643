package dev.sdqueue.loadtests.history;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a dispatcher's status lookups were answered from: its {@code sdq_status_lookups_total{source=…}} counters
 * (local store, own standby copy, forwarded, …) read from {@code /q/metrics} before and after a load. A build without
 * those counters (the in-memory view) yields an empty map.
 */
final class LookupSources {
    private static final Pattern COUNTER = Pattern.compile(
            "(?m)^sdq_status_lookups_total\\{[^}]*source=\"([a-z_]+)\"[^}]*\\} ([0-9.eE+-]+)");

    private LookupSources() {
    }

    /** Counter value per source; empty when the dispatcher has none or does not answer. */
    static Map<String, Double> read(HttpClient http, URI dispatcher) {
        return metrics(http, dispatcher).map(LookupSources::parse).orElse(Map.of());
    }

    /** A dispatcher's {@code /q/metrics} text, if it answers. */
    static Optional<String> metrics(HttpClient http, URI dispatcher) {
        try {
            return Optional.of(http.send(HttpRequest.newBuilder(dispatcher.resolve("/q/metrics"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (java.io.IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The counters in a Prometheus text exposition, summed per source. */
    static Map<String, Double> parse(String metrics) {
        Map<String, Double> counts = new TreeMap<>();
        Matcher m = COUNTER.matcher(metrics);
        while (m.find()) {
            counts.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return counts;
    }

    /** {@code after − before} per source, e.g. {@code "local 15,002, standby 14,998"}; zero counts left out. */
    static String delta(Map<String, Double> before, Map<String, Double> after) {
        StringBuilder text = new StringBuilder();
        after.forEach((source, count) -> {
            double grown = count - before.getOrDefault(source, 0.0);
            if (grown > 0) {
                text.append(text.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %,.0f", source,
                        grown));
            }
        });
        return text.isEmpty() ? "none counted" : text.toString();
    }
}
