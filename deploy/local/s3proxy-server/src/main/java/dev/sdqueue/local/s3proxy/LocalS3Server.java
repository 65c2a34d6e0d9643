package dev.sdqueue.local.s3proxy;

import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.S3ProxyConstants;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.Constants;
import org.gaul.s3proxy.middleware.Middlewares;
import org.gaul.shaded.org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local S3 server: S3Proxy started in-process from the same properties file {@code org.gaul.s3proxy.Main}
 * reads ({@code --properties FILE}, system properties override it), plus bucket lifecycle configuration
 * ({@link LifecycleFilter}) and its enforcement ({@link LifecycleSweeper}), which S3Proxy lacks. Our settings are
 * in {@link LifecycleSettings}. Unlike Main it takes a single properties file (one identity), which is what the
 * local stack writes.
 */
public final class LocalS3Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalS3Server.class);

    private final S3Proxy proxy;
    private final LifecycleSweeper sweeper;

    private LocalS3Server(S3Proxy proxy, LifecycleSweeper sweeper) {
        this.proxy = proxy;
        this.sweeper = sweeper;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--properties")) {
            System.err.println("usage: " + LocalS3Server.class.getName() + " --properties FILE");
            System.exit(2);
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            properties.load(in);
        }
        properties.putAll(System.getProperties());
        LocalS3Server server;
        try {
            server = start(properties, Clock.systemUTC());
        } catch (Exception e) {
            LOG.error("cannot start the local S3 server: {}", e.toString(), e);
            System.exit(1);
            return;
        }
        // SIGTERM drains in-flight requests (S3Proxy's stop) after the sweeper has stopped.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "sdq-s3-shutdown"));
    }

    /** Builds and starts S3Proxy with the lifecycle extension; the sweeper's first pass runs right away. */
    public static LocalS3Server start(Properties properties, Clock clock) throws Exception {
        LifecycleSettings settings = LifecycleSettings.from(properties);
        LifecycleStore store = new LifecycleStore(settings.storeDir());
        BlobStore blobStore = new LifecycleBlobStore(
                Middlewares.wrap(createBlobStore(properties), properties, LocalS3Server::createBlobStore), store);

        S3Proxy proxy = S3Proxy.Builder.fromProperties(properties).blobStore(blobStore).build();
        AuthenticationType auth = AuthenticationType.fromString(
                properties.getProperty(S3ProxyConstants.PROPERTY_AUTHORIZATION));
        String skew = properties.getProperty(S3ProxyConstants.PROPERTY_MAXIMUM_TIME_SKEW, "900");
        SigV4Verifier verifier = new SigV4Verifier(auth,
                properties.getProperty(S3ProxyConstants.PROPERTY_IDENTITY, ""),
                properties.getProperty(S3ProxyConstants.PROPERTY_CREDENTIAL, ""), Long.parseLong(skew.strip()));
        servletContext(proxy).addFilter(new LifecycleFilter(verifier, blobStore, store, clock), "/*",
                EnumSet.of(DispatcherType.REQUEST));

        proxy.start();
        LifecycleSweeper sweeper = new LifecycleSweeper(blobStore, store, settings.dayLength(), clock);
        sweeper.start(settings.sweepInterval());
        LOG.info("local S3 server on port {}: S3Proxy + bucket lifecycle (day length {}, sweep every {},"
                + " configurations in {})", proxy.getPort(), settings.dayLength(), settings.sweepInterval(),
                settings.storeDir());
        return new LocalS3Server(proxy, sweeper);
    }

    @Override
    public void close() {
        sweeper.close();
        try {
            proxy.stop();
        } catch (Exception e) {
            LOG.warn("error while stopping S3Proxy: {}", e.toString());
        }
    }

    /**
     * S3Proxy builds its Jetty server privately and offers no hook for a filter, so we read its {@code server}
     * field (S3Proxy 4.1.0; a version that renames it fails here, at startup, with this message) and add our
     * filter to the servlet context in front of S3Proxy's servlet before the server starts.
     */
    private static ServletContextHandler servletContext(S3Proxy proxy) {
        try {
            Field field = S3Proxy.class.getDeclaredField("server");
            field.setAccessible(true);
            Server server = (Server) field.get(proxy);
            ServletContextHandler context = server.getDescendant(ServletContextHandler.class);
            if (context == null) {
                throw new IllegalStateException("S3Proxy's Jetty server has no servlet context");
            }
            return context;
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot reach S3Proxy's Jetty server to add the lifecycle filter"
                    + " (written for S3Proxy 4.1.0): " + e, e);
        }
    }

    /** What Main.createBlobStore does for the providers the local stack uses (filesystem, transient). */
    private static BlobStore createBlobStore(Properties properties) throws IOException {
        String provider = properties.getProperty(Constants.PROPERTY_PROVIDER);
        if (provider == null || provider.isBlank()) {
            throw new IllegalArgumentException("the properties must name " + Constants.PROPERTY_PROVIDER);
        }
        properties.setProperty(Constants.PROPERTY_IDENTITY, properties.getProperty(Constants.PROPERTY_IDENTITY, ""));
        properties.setProperty(Constants.PROPERTY_CREDENTIAL,
                properties.getProperty(Constants.PROPERTY_CREDENTIAL, ""));
        return BlobStores.create(provider, properties);
    }
}
