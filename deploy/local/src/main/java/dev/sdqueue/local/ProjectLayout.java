package dev.sdqueue.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the repository's build output lives: the server classpath files written by the
 * {@code deploy/local/kafka-server} and {@code deploy/local/s3proxy-server} modules and their logging configs.
 */
final class ProjectLayout {
    /** System property naming the repository root; otherwise it is searched upwards from the working directory. */
    static final String HOME_PROPERTY = "sdq.home";
    private static final String BUILD_HINT = "build it first: mvn -B -pl deploy/local -am install -DskipTests (or ./sdq up)";

    private final Path root;

    private ProjectLayout(Path root) {
        this.root = root;
    }

    static ProjectLayout locate() {
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            Path root = Path.of(home).toAbsolutePath().normalize();
            if (!isRoot(root)) {
                throw new LocalStackException("-D" + HOME_PROPERTY + "=" + home
                        + " is not the sdqueue repository root (no deploy/local/pom.xml there)");
            }
            return new ProjectLayout(root);
        }
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return new ProjectLayout(dir);
            }
        }
        throw new LocalStackException("cannot find the sdqueue repository root above " + start
                + "; run from inside the repository or set -D" + HOME_PROPERTY + "=<repo root>");
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("pom.xml")) && Files.isRegularFile(dir.resolve("deploy/local/pom.xml"));
    }

    Path root() {
        return root;
    }

    /** The default work dir of {@code ./sdq}: {@code <repo>/.sdq}. */
    Path defaultWorkDir() {
        return root.resolve(".sdq");
    }

    String kafkaClasspath() {
        return readClasspath("kafka-server");
    }

    /** Our launcher's classes ({@code s3proxy-server/target/classes}) followed by S3Proxy's runtime classpath. */
    String s3ProxyClasspath() {
        Path classes = root.resolve("deploy/local/s3proxy-server/target/classes");
        if (!Files.isRegularFile(classes.resolve(S3ProxyServer.MAIN_CLASS.replace('.', '/') + ".class"))) {
            throw new LocalStackException("missing " + classes + " (the local S3 server's launcher): " + BUILD_HINT);
        }
        return classes + java.io.File.pathSeparator + readClasspath("s3proxy-server");
    }

    Path kafkaLogConfig() {
        return existing(root.resolve("deploy/local/kafka-server/log4j2.xml"));
    }

    Path s3ProxyLogConfig() {
        return existing(root.resolve("deploy/local/s3proxy-server/logback.xml"));
    }

    private String readClasspath(String module) {
        Path file = root.resolve("deploy/local").resolve(module).resolve("target/classpath.txt");
        if (!Files.isRegularFile(file)) {
            throw new LocalStackException("missing " + file + ": " + BUILD_HINT);
        }
        try {
            String classpath = Files.readString(file, StandardCharsets.UTF_8).strip();
            String firstJar = classpath.split(java.io.File.pathSeparator, 2)[0];
            if (classpath.isEmpty() || !Files.isRegularFile(Path.of(firstJar))) {
                throw new LocalStackException(file + " lists jars that do not exist (" + firstJar + "): " + BUILD_HINT);
            }
            return classpath;
        } catch (IOException e) {
            throw new LocalStackException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path existing(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LocalStackException("missing " + file + " (part of the repository; is the checkout complete?)");
        }
        return file;
    }
}
