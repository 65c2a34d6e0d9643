package dev.sdqueue.local;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Stand-in for a packaged Quarkus app in {@link AppProcessTest}: a JVM (launched with {@code -jar}) that serves
 * {@code /q/health/ready} on {@code quarkus.http.port}, answers {@code /property/<key>} and {@code /env/<name>}
 * with what it was started with, and logs its start and its shutdown hook. {@code -Dtest.exit-code=N} exits at
 * once instead (a crashing app).
 */
public final class HealthServerMain {
    private HealthServerMain() {
    }

    public static void main(String[] args) throws IOException {
        String exit = System.getProperty("test.exit-code");
        if (exit != null) {
            System.out.println("failing on purpose with " + exit);
            System.exit(Integer.parseInt(exit));
        }
        int port = Integer.parseInt(System.getProperty("quarkus.http.port"));
        HttpServer server = HttpServer.create(new InetSocketAddress(System.getProperty("quarkus.http.host"), port), 0);
        server.createContext("/q/health/ready", exchange -> reply(exchange, 200, "UP"));
        server.createContext("/property/", exchange -> {
            String key = exchange.getRequestURI().getPath().substring("/property/".length());
            reply(exchange, 200, String.valueOf(System.getProperty(key)));
        });
        server.createContext("/env/", exchange -> {
            String key = exchange.getRequestURI().getPath().substring("/env/".length());
            reply(exchange, 200, String.valueOf(System.getenv(key)));
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("shutdown hook ran");
            System.out.flush();
        }));
        server.start();
        System.out.println("listening on " + port);
    }

    /** A runnable jar of this class in {@code dir} (the stand-in for a packaged Quarkus app). */
    static Path jar(Path dir) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, HealthServerMain.class.getName());
        String entry = HealthServerMain.class.getName().replace('.', '/') + ".class";
        Path classes = Path.of(HealthServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = dir.resolve("health-server.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(classes.resolve(entry)));
            out.closeEntry();
        }
        return jar;
    }

    private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
