package dev.sdqueue.ops.dlq;

import dev.sdqueue.schema.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlq list}: one line per dead-letter record, oldest first, the newest {@code --limit}. */
@Command(name = "list",
        description = {"One line per dead-lettered record: location (partition:offset, for 'show'), job id, reason "
                + "(sdq-dlq-reason), age and message (sdq-dlq-message, else SmallRye's dead-letter-reason).",
                "The summary goes to stderr."})
final class ListCommand extends DlqSubcommand {
    static final int MESSAGE_WIDTH = 100;

    @Mixin
    Filters filters;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "Show the newest N matching records (0 = all; default: ${DEFAULT-VALUE})")
    int limit;

    /** What a line needs; the value itself is not kept, so listing a large DLQ stays small. */
    record Line(Instant timestamp, int partition, long offset, String jobId, String reason, String message) {
    }

    @Override
    int execute(PrintWriter out, PrintWriter err) {
        if (limit < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be 0 or more");
        }
        DlqSelection selection = filters.selection(spec.commandLine(), clock, Optional.empty());
        List<Line> lines = new ArrayList<>();
        long[] total = {0};
        try (DlqReader reader = reader()) {
            reader.forEach(record -> {
                total[0]++;
                if (selection.test(record)) {
                    lines.add(new Line(record.timestamp(), record.partition(), record.offset(),
                            record.jobId().orElse("-"), record.reason().orElse("-"),
                            RecordText.oneLine(record.message().orElse(""), MESSAGE_WIDTH)));
                }
            });
        }
        lines.sort(Comparator.comparing(Line::timestamp).thenComparingInt(Line::partition)
                .thenComparingLong(Line::offset));
        List<Line> shown = limit == 0 || lines.size() <= limit ? lines : lines.subList(lines.size() - limit,
                lines.size());
        Instant now = clock.instant();
        if (!shown.isEmpty()) {
            out.printf("%-10s %-36s %-20s %6s  %s%n", "LOCATION", "JOB ID", "REASON", "AGE", "MESSAGE");
        }
        for (Line line : shown) {
            out.printf("%-10s %-36s %-20s %6s  %s%n", line.partition() + ":" + line.offset(), line.jobId(),
                    line.reason(), RecordText.age(Duration.between(line.timestamp(), now)), line.message());
        }
        out.flush();
        if (selection.isEmpty()) {
            err.printf("%d record(s) shown of %d in %s%n", shown.size(), total[0], Topics.DEAD_LETTER);
        } else {
            err.printf("%d record(s) shown; %d of %d in %s match the filter%n", shown.size(), lines.size(), total[0],
                    Topics.DEAD_LETTER);
        }
        err.flush();
        return 0;
    }
}
