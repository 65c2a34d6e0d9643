package dev.sdqueue.dispatcher;

import jakarta.inject.Singleton;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/** Who this replica is: its id goes into {@code ce_source} and the Kafka client ids. */
@Singleton
public class InstanceIdentity {
    private final String id;

    InstanceIdentity(DispatcherConfig.Instance config) {
        this.id = config.instanceId()
                .or(() -> Optional.ofNullable(System.getenv("HOSTNAME")))
                .filter(s -> !s.isBlank())
                .orElseGet(() -> UUID.randomUUID().toString().substring(0, 8));
    }

    public String id() {
        return id;
    }

    /** The CloudEvents {@code source} of records this replica publishes. */
    public URI source() {
        return URI.create("/sdq/dispatcher/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
    }
}
