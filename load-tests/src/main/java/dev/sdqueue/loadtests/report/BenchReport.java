package dev.sdqueue.loadtests.report;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sdqueue.schema.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The folder of one bench run, {@code <base>/<name>-<yyyyMMdd-HHmmss>/}, and the files written into it:
 * {@code summary.json}, {@code index.html}, {@code plots.md} (mermaid charts for BENCHMARKS.md).
 */
public record BenchReport(Path dir) {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    public static BenchReport create(Path base, String name) throws IOException {
        Path dir = base.resolve(name + "-" + LocalDateTime.now().format(STAMP));
        for (int i = 2; Files.exists(dir); i++) {
            dir = base.resolve(name + "-" + LocalDateTime.now().format(STAMP) + "-" + i);
        }
        Files.createDirectories(dir);
        return new BenchReport(dir);
    }

    public Path writeJson(Map<String, ?> summary) throws IOException {
        Path file = dir.resolve("summary.json");
        Files.write(file, EventJson.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(summary));
        return file;
    }

    public Path writeHtml(HtmlReport page) throws IOException {
        Path file = dir.resolve("index.html");
        Files.writeString(file, page.render(), StandardCharsets.UTF_8);
        return file;
    }

    public Path writeMarkdown(String markdown) throws IOException {
        Path file = dir.resolve("plots.md");
        Files.writeString(file, markdown, StandardCharsets.UTF_8);
        return file;
    }

    /** Where Gatling writes its results (its own report in a sub-folder). */
    public Path gatlingDir() {
        return dir.resolve("gatling");
    }
}
