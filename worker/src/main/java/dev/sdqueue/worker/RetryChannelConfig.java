package dev.sdqueue.worker;

import dev.sdqueue.schema.RetryDelays;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.microprofile.config.spi.ConfigSource;
import java.util.List;
import java.util.Map;

/**
 * Derives the request channel's SmallRye {@code delayed-retry-topic} keys ({@code topics}, {@code max-retries},
 * {@code timeout}) from {@code sdq.retry.delays} and {@code sdq.retry.timeout}, so that the retries are declared in
 * one place. Its ordinal is above system properties: setting SmallRye's keys directly has no effect, and cannot make
 * the channel disagree with the decision table. Registered through {@code META-INF/services}.
 */
public final class RetryChannelConfig implements ConfigSourceFactory {
    public static final String DEFAULT_TIMEOUT = "PT1H";
    static final String PREFIX = "mp.messaging.incoming.generation-requests.delayed-retry-topic.";
    /** Above system properties (400) and environment variables (300). */
    static final int ORDINAL = 450;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        return List.of(new PropertiesConfigSource(derive(value(context, "sdq.retry.delays", RetryDelays.DEFAULT),
                value(context, "sdq.retry.timeout", DEFAULT_TIMEOUT)), "sdq.retry (derived channel keys)", ORDINAL));
    }

    /**
     * The SmallRye keys for these settings, read with the converter Quarkus uses for the {@code Duration} values of
     * {@code WorkerConfig.Retry}, so the channel and the decision table read the same delays.
     */
    static Map<String, String> derive(String delays, String timeout) {
        List<Duration> parsed = Arrays.stream(delays.split(",")).map(String::trim).filter(d -> !d.isEmpty())
                .map(DurationConverter::parseDuration).toList();
        return Map.of(PREFIX + "topics", String.join(",", RetryDelays.topics(parsed)),
                PREFIX + "max-retries", Integer.toString(parsed.size()),
                PREFIX + "timeout", Long.toString(DurationConverter.parseDuration(timeout.trim()).toMillis()));
    }

    private static String value(ConfigSourceContext context, String name, String fallback) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? fallback : value.getValue();
    }
}
