package dev.sdqueue.dispatcher;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Typed settings under {@code sdq.*}, one mapping per group. Not one mapping for all of {@code sdq}: SmallRye
 * rejects unknown keys under a mapping's prefix, and other parts of the project pass {@code -Dsdq.home},
 * {@code -Dsdq.reference.dir}; per-group prefixes keep typo detection inside the dispatcher's own groups.
 *
 * <p>Limits and defaults are optional: an unset one falls back to
 * {@link dev.sdqueue.schema.RequestLimits#DEFAULTS} / {@link dev.sdqueue.schema.RequestDefaults#DEFAULTS}, so the
 * contract's values live in one place (see {@link RequestSettings}).
 */
public final class DispatcherConfig {
    private DispatcherConfig() {
    }

    /** This replica ({@code sdq.dispatcher.*}). */
    @ConfigMapping(prefix = "sdq.dispatcher")
    public interface Instance {
        /** Names this replica in {@code ce_source} and Kafka client ids; defaults to $HOSTNAME or a random id. */
        Optional<String> instanceId();

        /** Most requests one {@code POST /v1/generations/batch} may carry (at least 1). */
        @WithDefault("100")
        int maxBatch();

        /**
         * {@code host:port} at which the other replicas reach this one's HTTP port (Kafka Streams'
         * {@code application.server}): status lookups of jobs this replica hosts are forwarded there.
         */
        @WithDefault("127.0.0.1:${quarkus.http.port}")
        String advertisedAddress();
    }

    /** What a request may ask for ({@code sdq.limits.*}). */
    @ConfigMapping(prefix = "sdq.limits")
    public interface Limits {
        OptionalInt maxPromptLength();

        OptionalInt minSize();

        OptionalInt maxWidth();

        OptionalInt maxHeight();

        OptionalLong maxPixels();

        OptionalInt maxSteps();

        OptionalDouble minGuidance();

        OptionalDouble maxGuidance();

        OptionalInt maxImages();
    }

    /** Values absent request fields take before the request is published ({@code sdq.defaults.*}). */
    @ConfigMapping(prefix = "sdq.defaults")
    public interface Defaults {
        OptionalInt width();

        OptionalInt height();

        OptionalInt steps();

        OptionalDouble guidanceScale();

        OptionalInt numImages();

        /** Unset: the model's own scheduler_config.json decides (resolved by the worker). */
        Optional<String> scheduler();

        /**
         * Unset (the default): a request without {@code model} is published without one and runs on whatever model
         * the worker that takes it serves. Set it only if every worker serves that model: a worker serving another
         * one fails such jobs as invalid.
         */
        Optional<String> model();
    }

    /** Publishing requests ({@code sdq.publish.*}); the Kafka producer's own timeouts live on the channel. */
    @ConfigMapping(prefix = "sdq.publish")
    public interface Publish {
        /** Upper bound on waiting for the broker's acknowledgement before answering 503 (a safety net above
         * the producer's max.block.ms + delivery.timeout.ms). */
        @WithDefault("15s")
        Duration ackTimeout();

        /** Sent as {@code Retry-After} with 503 answers. */
        @WithDefault("10s")
        Duration retryAfter();
    }

    /** {@code Idempotency-Key} handling of {@code POST /v1/generations} ({@code sdq.idempotency.*}). */
    @ConfigMapping(prefix = "sdq.idempotency")
    public interface Idempotency {
        /** How long after its first acceptance a key answers with the same job; a later reuse starts a new one. */
        @WithDefault("24h")
        Duration window();
    }

    /** The optional {@code deadline} of a request ({@code sdq.deadline.*}). */
    @ConfigMapping(prefix = "sdq.deadline")
    public interface Deadline {
        /** Furthest a deadline may lie in the future (a typo'd year should be a 400, not a job kept for ever). */
        @WithDefault("24h")
        Duration maxHorizon();
    }

    /** The job-status store, a Kafka Streams app in this process ({@code sdq.status.*}). */
    @ConfigMapping(prefix = "sdq.status")
    public interface Status {
        /**
         * A job's status is deleted this long after its latest update (a tombstone on the store's changelog). Must
         * be at least {@code sdq.idempotency.window}, which is checked against the store. Workers that keep
         * per-job state of their own should keep it as long.
         */
        @WithDefault("P7D")
        Duration ttl();

        /** How often expired statuses are looked for (a range scan of the expiry index; cheap when none is due). */
        @WithDefault("PT1M")
        Duration ttlScanInterval();

        /** How long startup waits for the requests and events topics to be created before it gives up. */
        @WithDefault("PT60S")
        Duration topicsTimeout();

        /** Bound on a lookup forwarded to the replica that hosts the job (then a standby, then 503). */
        @WithDefault("PT1S")
        Duration forwardTimeout();

        /**
         * A job another replica owns is answered from this replica's standby copy, without a network hop, when that
         * copy holds it and either its status is final (terminal, request known) or the copy was at most this many
         * changelog records behind at the latest sample (every {@code standby-lag-interval}). So a running job's
         * progress read from two replicas may step back by that much. Negative: only final statuses are read from a
         * standby copy; every other lookup goes to the owner.
         */
        @WithDefault("100")
        long standbyMaxLag();

        /** How often the standby copies' lag is sampled (one admin call to the brokers). */
        @WithDefault("PT1S")
        Duration standbyLagInterval();
    }
}
