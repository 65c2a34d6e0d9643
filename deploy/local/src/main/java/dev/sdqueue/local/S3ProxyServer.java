package dev.sdqueue.local;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The local S3 server as a child JVM: S3Proxy with its filesystem backend under {@code <workDir>/s3}, signatures
 * enforced, started in-process by our launcher {@value #MAIN_CLASS} (module {@code deploy/local/s3proxy-server}),
 * which adds bucket lifecycle configuration and expiry to it.
 */
final class S3ProxyServer {
    static final String ROLE = "s3proxy";
    static final String MAIN_CLASS = "dev.sdqueue.local.s3proxy.LocalS3Server";
    /** The launcher's property for the length of a lifecycle "day" (ISO-8601 duration). */
    static final String LIFECYCLE_DAY_LENGTH = "sdq.s3.lifecycle.day-length";
    private final LocalStackConfig config;
    private final ProjectLayout layout;
    private final Path propertiesFile;

    S3ProxyServer(LocalStackConfig config, ProjectLayout layout) {
        this.config = config;
        this.layout = layout;
        this.propertiesFile = config.workDir().resolve("s3proxy.properties");
    }

    Path logFile() {
        return config.logDir().resolve("s3proxy.log");
    }

    Path dataDir() {
        return config.workDir().resolve("s3");
    }

    ChildProcess launch(boolean detached, Consumer<String> progress) {
        String classpath = layout.s3ProxyClasspath();
        createBucketDir();
        writeProperties();
        progress.accept("starting S3Proxy on " + config.s3Endpoint() + " (bucket " + config.bucket() + " in "
                + dataDir() + ", lifecycle day " + config.lifecycleDayLength() + ", log " + logFile() + ")");
        List<String> jvmArgs = List.of("-Xms64m", "-Xmx256m", "-Djava.awt.headless=true",
                "-Djava.io.tmpdir=" + config.workDir().resolve("tmp"),
                "-Dlogback.configurationFile=" + layout.s3ProxyLogConfig());
        return ChildProcess.launch(ROLE, config.workDir(), classpath, jvmArgs,
                List.of(MAIN_CLASS, "--properties", propertiesFile.toString()), logFile(), detached);
    }

    /**
     * With the filesystem backend a bucket is a directory; creating it here saves every client a round trip.
     * Owner-only mode matters: the backend reports a directory (or file) that "others" may read as public-read
     * and then serves it to anonymous requests (a 0755 bucket dir lists its keys to anyone). Objects written
     * through S3 are created owner-only by S3Proxy itself.
     */
    private void createBucketDir() {
        Path bucket = dataDir().resolve(config.bucket());
        try {
            Files.createDirectories(dataDir());
            Files.setPosixFilePermissions(dataDir(), PosixFilePermissions.fromString("rwx------"));
            if (!Files.isDirectory(bucket)) {
                Files.createDirectory(bucket);
            }
            Files.setPosixFilePermissions(bucket, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new LocalStackException("cannot create bucket directory " + bucket + ": " + e.getMessage(), e);
        }
    }

    private void writeProperties() {
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", config.s3Endpoint());
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", config.accessKey());
        p.setProperty("s3proxy.credential", config.secretKey());
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", dataDir().toString());
        p.setProperty(LIFECYCLE_DAY_LENGTH, config.lifecycleDayLength().toString());
        try {
            Files.createDirectories(propertiesFile.getParent());
            try (Writer out = Files.newBufferedWriter(propertiesFile, StandardCharsets.UTF_8)) {
                p.store(out, "written by dev.sdqueue.local.LocalStack on every start");
            }
            // It holds the secret key.
            Files.setPosixFilePermissions(propertiesFile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new LocalStackException("cannot write " + propertiesFile + ": " + e.getMessage(), e);
        }
    }

    /** Whether an HTTP server answers on the endpoint (any status: an unsigned request gets 403). */
    static boolean answers(String endpoint) {
        int port = URI.create(endpoint).getPort();
        if (!Ports.isListening(port)) {
            return false;
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(endpoint + "/"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() > 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
