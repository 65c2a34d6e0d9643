package dev.sdqueue.ops.dlq;

import dev.sdqueue.schema.Topics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlq replay}: selected dead-letter records back onto the request topic. */
@Command(name = "replay",
        description = {"Re-produce selected dead-lettered records to " + Topics.REQUESTS + " with the same key and "
                + "value, without the dead-letter/retry headers, with sdq-replayed-from: dlq:<partition>:<offset>.",
                "Records that cannot be a request (poison: not UTF-8, not JSON, wrong shape or type, too big) are "
                        + "skipped unless --force. Needs a selection (--reason, --since, --id) or --all.",
                "The last line is: replay: selected=N replayed=N skipped=N"})
final class ReplayCommand extends DlqSubcommand {
    @Mixin
    Filters filters;

    @Option(names = "--id", paramLabel = "ID", description = "Only this record (partition:offset) or job id")
    String id;

    @Option(names = "--all", description = "Replay every record (when no other selection is given)")
    boolean all;

    @Option(names = "--dry-run", description = "Show what would be replayed; produce nothing")
    boolean dryRun;

    @Option(names = "--force", description = "Replay poison records too (they will be dead-lettered again)")
    boolean force;

    @Option(names = "--same-id", description = "Replay under the original job id. Only for jobs that never got a "
            + "terminal event: workers skip a job that has one and the status view keeps it. By default a replay "
            + "runs under a new job id derived from the record's location (a second replay of the same record is "
            + "the same job), so a job that already failed runs again")
    boolean sameId;

    @Override
    int execute(PrintWriter out, PrintWriter err) {
        DlqSelection selection = filters.selection(spec.commandLine(), clock, Optional.ofNullable(id));
        if (selection.isEmpty() && !all) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "select what to replay: --reason, --since, --id, or --all for everything");
        }
        List<DlqRecord> selected = new ArrayList<>();
        try (DlqReader reader = reader()) {
            reader.forEach(record -> {
                if (selection.test(record)) {
                    selected.add(record);
                }
            });
        }
        List<DlqRecord> toReplay = new ArrayList<>();
        int skipped = 0;
        for (DlqRecord record : selected) {
            Optional<String> poison = RequestShape.poisonReason(record);
            String job = record.jobId().orElse("-");
            if (poison.isPresent() && !force) {
                skipped++;
                out.printf("%-12s %-10s job %s: poison, %s (--force replays it anyway)%n", "skipped",
                        record.location(), job, poison.get());
            } else {
                toReplay.add(record);
                if (dryRun) {
                    out.printf("%-12s %-10s job %s%s%s%n", "would replay", record.location(), job,
                            !sameId ? " as " + DlqReplayer.newJobId(record) : "",
                            poison.map(p -> " (poison, forced: " + p + ")").orElse(""));
                }
            }
        }
        int replayed = 0;
        if (!dryRun && !toReplay.isEmpty()) {
            try (DlqReplayer replayer = new DlqReplayer(kafka.bootstrapServers(), kafka.timeout())) {
                List<RecordMetadata> landed = replayer.replay(toReplay, !sameId);
                for (int i = 0; i < landed.size(); i++) {
                    RecordMetadata m = landed.get(i);
                    DlqRecord record = toReplay.get(i);
                    out.printf("%-12s %-10s job %s%s -> %s %d:%d%n", "replayed", record.location(),
                            record.jobId().orElse("-"), !sameId ? " as " + DlqReplayer.newJobId(record) : "",
                            m.topic(), m.partition(), m.offset());
                }
                replayed = landed.size();
            }
        }
        out.printf("replay: selected=%d replayed=%d skipped=%d%s%n", selected.size(), replayed, skipped,
                dryRun ? " (dry run: would replay " + toReplay.size() + ")" : "");
        out.flush();
        return 0;
    }
}
