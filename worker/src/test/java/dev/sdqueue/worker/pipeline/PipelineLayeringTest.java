package dev.sdqueue.worker.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layering rule of package-info.java, checked on the sources: the pipeline imports no
 * messaging, framework or storage code, so it stays a plain library (CLI, JMH, other hosts).
 */
class PipelineLayeringTest {

    private static final List<String> FORBIDDEN = List.of("org.apache.kafka", "io.quarkus", "io.smallrye", "io.minio",
            "jakarta.", "org.eclipse.microprofile");
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+\\*?)\\s*;", Pattern.MULTILINE);

    static Path sourceRoot() {
        // Surefire runs in the module directory; fall back to the repository layout from the root.
        for (Path candidate : List.of(Path.of("src/main/java/dev/sdqueue/worker/pipeline"),
                Path.of("worker/src/main/java/dev/sdqueue/worker/pipeline"))) {
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("pipeline sources not found from " + Path.of("").toAbsolutePath());
    }

    @Test
    void pipelineSourcesImportNoMessagingFrameworkOrStorageCode() throws IOException {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(sourceRoot())) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).as("pipeline sources found").hasSizeGreaterThan(20);
        List<String> violations = new ArrayList<>();
        for (Path file : sources) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Matcher m = IMPORT.matcher(text);
            while (m.find()) {
                String imported = m.group(1);
                for (String prefix : FORBIDDEN) {
                    if (imported.startsWith(prefix)) {
                        violations.add(file.getFileName() + ": import " + imported);
                    }
                }
            }
            // Fully-qualified use without an import is just as much a dependency.
            for (String prefix : FORBIDDEN) {
                String code = text.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                if (code.contains(prefix) && !code.contains("import " + prefix)) {
                    violations.add(file.getFileName() + ": uses " + prefix + " by qualified name");
                }
            }
        }
        assertThat(violations).as("forbidden dependencies of dev.sdqueue.worker.pipeline").isEmpty();
    }

    @Test
    void checkerRecognisesAForbiddenImport() {
        Matcher m = IMPORT.matcher("package x;\nimport org.apache.kafka.clients.consumer.Consumer;\nimport static io.quarkus.A.b;\n");
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        assertThat(found).containsExactly("org.apache.kafka.clients.consumer.Consumer", "io.quarkus.A.b");
    }
}
