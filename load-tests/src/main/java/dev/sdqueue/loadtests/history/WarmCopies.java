package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.BenchClock;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waits until every dispatcher's status-store copies are warm: {@code sdq_status_copies_lag_records} (changelog
 * records its active and standby copies are behind) at most {@link #WARM_LAG}. A new replica is ready at once but
 * restores its standby copies in the background, which takes CPU and I/O from everything on the machine: the lookups
 * are measured after it, in the steady state. A build without the gauge (the in-memory view) is not waited for.
 */
final class WarmCopies {
    static final long WARM_LAG = 100;
    private static final Pattern GAUGE = Pattern.compile("(?m)^sdq_status_copies_lag_records(?:\\{[^}]*\\})? "
            + "([0-9.eE+-]+)");
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration TICK = Duration.ofSeconds(15);

    private WarmCopies() {
    }

    /** @return seconds waited, or empty when no dispatcher reports the gauge or the timeout passed first */
    static OptionalLong awaitSeconds(HttpClient http, Map<String, URI> dispatchers, Duration timeout, PrintStream out)
            throws InterruptedException {
        long start = BenchClock.nowMicros();
        long nextTick = start + TICK.toNanos() / 1000;
        while (true) {
            Map<String, Long> lags = new LinkedHashMap<>();
            dispatchers.forEach((name, uri) -> lag(http, uri).ifPresent(lag -> lags.put(name, lag)));
            if (lags.isEmpty()) {
                return OptionalLong.empty();
            }
            boolean warm = lags.values().stream().allMatch(lag -> lag >= 0 && lag <= WARM_LAG);
            long now = BenchClock.nowMicros();
            if (warm) {
                return OptionalLong.of((now - start) / 1_000_000);
            }
            if (now - start > timeout.toNanos() / 1000) {
                out.printf(Locale.ROOT, "  store copies still behind after %d s: %s records%n", timeout.toSeconds(),
                        lags);
                return OptionalLong.empty();
            }
            if (now >= nextTick) {
                out.printf(Locale.ROOT, "  ... store copies catching up, %d s: %s records behind%n",
                        (now - start) / 1_000_000, lags);
                nextTick += TICK.toNanos() / 1000;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The gauge's value, if the dispatcher answers and has it. */
    static OptionalLong lag(HttpClient http, URI dispatcher) {
        return LookupSources.metrics(http, dispatcher).map(WarmCopies::parse).orElse(OptionalLong.empty());
    }

    static OptionalLong parse(String metrics) {
        Matcher m = GAUGE.matcher(metrics);
        return m.find() ? OptionalLong.of((long) Double.parseDouble(m.group(1))) : OptionalLong.empty();
    }
}
