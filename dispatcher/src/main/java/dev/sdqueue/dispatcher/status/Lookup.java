package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The answer to "what is the status of job X?" from any replica ({@link StatusLookup}). */
public sealed interface Lookup permits Lookup.Found, Lookup.Forwarded, Lookup.Missing, Lookup.Unavailable {

    /** Where an answer came from; also the {@code source} tag of {@code sdq_status_lookups_total}. */
    enum Source {
        /** This replica's active store. */
        LOCAL,
        /**
         * A standby copy: this replica's own, for a job another replica owns whose status is final or whose copy is
         * fresh; or any replica's, while the active copy cannot answer.
         */
        STANDBY,
        /** Another replica's active store, over HTTP. */
        FORWARDED,
        /** Not in any store yet, but accepted by this replica moments ago (read-your-writes). */
        ACCEPTED,
        /** No such job (the store that owns the id said so). */
        MISSING,
        /** No store could answer (starting, rebalancing, owner unreachable). */
        UNAVAILABLE
    }

    /** A status read in this process. */
    record Found(JobStatus status, Source source) implements Lookup {
    }

    /** A status another replica answered with: its JSON, passed on as is (the same mapping on every replica). */
    record Forwarded(byte[] json, Source source) implements Lookup {
        /** Parsed only by callers that need the value (idempotency checks), not by {@code GET}. */
        public JobStatus status() {
            try {
                return EventJson.fromBytes(json, JobStatus.class);
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable status from another replica", e);
            }
        }
    }

    /** The store that owns the id does not know it. */
    record Missing() implements Lookup {
    }

    /** Nothing could be asked right now; retry later (never a 404: the job may exist). */
    record Unavailable(String reason) implements Lookup {
    }

    default Source source() {
        if (this instanceof Found f) {
            return f.source();
        }
        if (this instanceof Forwarded f) {
            return f.source();
        }
        return this instanceof Missing ? Source.MISSING : Source.UNAVAILABLE;
    }
}
