package dev.sdqueue.dispatcher.status;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.state.HostInfo;
import org.jboss.logging.Logger;

/**
 * Asks the replica that hosts a job's partition, on its internal endpoint {@value #PATH}{@code {id}}. One JDK
 * {@link HttpClient} for the process: HTTP/1.1 with keep-alive, so a lookup reuses a pooled connection instead of
 * opening one; short timeouts, since a slow owner is answered by a standby or a 503.
 */
public final class StatusForwarder {
    /** Internal, not in the public OpenAPI: the replica's own store only, never forwarded further. */
    public static final String PATH = "/internal/v1/status/";
    private static final Logger LOG = Logger.getLogger(StatusForwarder.class);

    private final HttpClient client;
    private final Duration timeout;

    public StatusForwarder(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Never throws: an unreachable or slow host is {@link Lookup.Unavailable}. Completes on the client's thread.
     *
     * @param standby ask the host's standby copy (it is not the active one)
     */
    public CompletableFuture<Lookup> fetch(HostInfo host, String jobId, boolean standby) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + PATH
                + URLEncoder.encode(jobId, StandardCharsets.UTF_8).replace("+", "%20") + (standby ? "?stale=true" : ""));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, failure) -> {
            if (failure != null) {
                LOG.debugf("status lookup at %s failed: %s", host, failure.toString());
                return new Lookup.Unavailable(host + " unreachable: " + failure);
            }
            return switch (response.statusCode()) {
                case 200 -> new Lookup.Forwarded(response.body(),
                        standby ? Lookup.Source.STANDBY : Lookup.Source.FORWARDED);
                case 404 -> new Lookup.Missing();
                default -> new Lookup.Unavailable(host + " answered " + response.statusCode());
            };
        });
    }
}
