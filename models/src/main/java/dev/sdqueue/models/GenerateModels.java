package dev.sdqueue.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Build entry point: {@code GenerateModels <output root> [model ...]} writes each model (default: all) to
 * {@code <output root>/<model name>}. Bound to Maven's process-classes phase of this module, so the
 * folders appear under {@code models/target/}.
 */
public final class GenerateModels {

    /** Every model this module generates, by folder name. */
    private static final Map<String, ModelFolder.Writer> MODELS = new TreeMap<>(Map.of(
            TinyRandomModel.NAME, dir -> TinyRandomModel.write(dir),
            ColourOracleModel.NAME, dir -> ColourOracleModel.write(dir),
            // Benchmark-only folders (never a default): see BenchmarkModel and WallClockBenchmarkModel.
            BenchmarkModel.BENCH_100MS.name(), dir -> BenchmarkModel.write(dir, BenchmarkModel.BENCH_100MS),
            BenchmarkModel.BENCH_1S.name(), dir -> BenchmarkModel.write(dir, BenchmarkModel.BENCH_1S),
            WallClockBenchmarkModel.NAME, dir -> WallClockBenchmarkModel.write(dir)));

    private GenerateModels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: GenerateModels <output root> [" + String.join("|", MODELS.keySet()) + " ...]");
            throw new IllegalArgumentException("missing output root");
        }
        Path root = Path.of(args[0]);
        List<String> names = args.length > 1 ? List.of(args).subList(1, args.length) : List.copyOf(MODELS.keySet());
        for (String name : names) {
            ModelFolder.Writer writer = MODELS.get(name);
            if (writer == null) {
                throw new IllegalArgumentException("unknown model '" + name + "', known: " + MODELS.keySet());
            }
            Path dir = root.resolve(name);
            long start = System.nanoTime();
            System.out.println("[sdqueue-models] writing " + name + " to " + dir.toAbsolutePath());
            writer.writeInto(dir);
            System.out.printf("[sdqueue-models] %s: %d files, %d bytes, %d ms%n", name, fileCount(dir), byteCount(dir),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static long fileCount(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static long byteCount(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }
}
