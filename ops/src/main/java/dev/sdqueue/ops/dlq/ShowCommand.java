package dev.sdqueue.ops.dlq;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dlq show ID}: one record (or every record of a job) with all its headers and its value. */
@Command(name = "show",
        description = "Everything about a dead-lettered record: where it is, when it was dead-lettered, its key, all "
                + "headers (SmallRye's dead-letter-*/delayed-retry-*, ours sdq-dlq-reason/sdq-dlq-message, CloudEvents,"
                + " traceparent) and its value, pretty-printed if JSON, else escaped text or a hex dump.")
final class ShowCommand extends DlqSubcommand {
    /** JSON larger than this is shown as an excerpt, not indented. */
    static final int MAX_PRETTY_BYTES = 256 * 1024;
    static final int MAX_TEXT_CHARS = 4096;
    static final int MAX_HEX_BYTES = 512;

    @Parameters(index = "0", paramLabel = "ID", description = "partition:offset (from 'list'), or a job id (every "
            + "record of that job is shown)")
    String id;

    @Override
    int execute(PrintWriter out, PrintWriter err) {
        List<DlqRecord> found = new ArrayList<>();
        try (DlqReader reader = reader()) {
            Optional<long[]> location = DlqSelection.location(id);
            if (location.isPresent()) {
                reader.at((int) location.get()[0], location.get()[1]).ifPresent(found::add);
            } else {
                reader.forEach(record -> {
                    if (DlqSelection.matchesId(record, id)) {
                        found.add(record);
                    }
                });
            }
        }
        if (found.isEmpty()) {
            throw new DlqException("no record " + id + " in " + dev.sdqueue.schema.Topics.DEAD_LETTER
                    + " (ids: partition:offset or a job id; see ./sdq dlq list)");
        }
        for (int i = 0; i < found.size(); i++) {
            if (i > 0) {
                out.println();
            }
            print(found.get(i), out);
        }
        out.flush();
        return 0;
    }

    private void print(DlqRecord record, PrintWriter out) {
        out.printf("%s %s  dead-lettered %s (%s ago)%n", record.topic(), record.location(), record.timestamp(),
                RecordText.age(Duration.between(record.timestamp(), clock.instant())));
        out.printf("job:     %s%n", record.jobId().orElse("-"));
        out.printf("reason:  %s%n", record.reason().orElse("-"));
        out.printf("message: %s%n", record.message().map(m -> RecordText.escaped(m, MAX_TEXT_CHARS)).orElse("-"));
        out.printf("key:     %s%n", record.key() == null ? "(null)" : RecordText.headerValue(record.key()));
        out.printf("headers (%d):%n", record.headers().size());
        for (DlqRecord.Header h : record.headers()) {
            out.printf("  %s: %s%n", h.name(), RecordText.headerValue(h.value()));
        }
        RequestShape.poisonReason(record).ifPresent(why -> out.printf("not replayable as a request: %s%n", why));
        byte[] value = record.value();
        if (value == null) {
            out.println("value: (null)");
            return;
        }
        Optional<String> json = RecordText.prettyJson(value, MAX_PRETTY_BYTES);
        if (json.isPresent()) {
            out.printf("value (%d bytes, JSON):%n%s%n", value.length, json.get());
            return;
        }
        Optional<String> text = RecordText.utf8(value);
        if (text.isPresent()) {
            out.printf("value (%d bytes, UTF-8 text, not JSON):%n%s%n", value.length,
                    RecordText.escaped(text.get(), MAX_TEXT_CHARS));
        } else {
            out.printf("value (%d bytes, not UTF-8):%n%s", value.length, RecordText.hexDump(value, MAX_HEX_BYTES));
        }
    }
}
