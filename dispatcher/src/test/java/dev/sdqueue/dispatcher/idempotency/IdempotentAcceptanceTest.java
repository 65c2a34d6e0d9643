package dev.sdqueue.dispatcher.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.dispatcher.status.JobPhase;
import dev.sdqueue.dispatcher.status.StatusUnavailableException;
import dev.sdqueue.dispatcher.status.TestStatuses;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IdempotentAcceptanceTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration WINDOW = Duration.ofHours(24);
    private final TestStatuses view = new TestStatuses();
    private final IdempotentAcceptance acceptance = new IdempotentAcceptance(view::get, WINDOW);
    private final IdempotencyKey key = new IdempotencyKey("order-17");

    @Test
    void aNewKeyPublishesUnderTheIdDerivedFromIt() {
        IdempotentAcceptance.Publish publish = publish(acceptance.decide(key, request("fox", T0), T0));
        assertThat(publish.request().jobId()).isEqualTo(key.jobId(0));
        assertThat(publish.request().prompt()).isEqualTo("fox");
        assertThat(publish.request().requestedAt()).isEqualTo(T0);
    }

    @Test
    void aRepeatWithinTheWindowIsTheSameJobAndPublishesNothing() {
        accept(request("fox", T0));
        IdempotentAcceptance.Decision repeat = acceptance.decide(key, request("fox", T0.plusSeconds(30)),
                T0.plusSeconds(30));
        assertThat(repeat).isInstanceOf(IdempotentAcceptance.Replay.class);
        assertThat(((IdempotentAcceptance.Replay) repeat).status().id()).isEqualTo(key.jobId(0));
        assertThat(((IdempotentAcceptance.Replay) repeat).status().request().requestedAt())
                .as("the first acceptance, not the repeat").isEqualTo(T0);
    }

    @Test
    void aRepeatShowsWhereTheJobIsNow() {
        accept(request("fox", T0));
        view.onEvent(new GenerationEvent.Failed(key.jobId(0), T0.plusSeconds(5), 1, "expired", "too late", false));
        IdempotentAcceptance.Decision repeat = acceptance.decide(key, request("fox", T0.plusSeconds(9)),
                T0.plusSeconds(9));
        assertThat(((IdempotentAcceptance.Replay) repeat).status().status()).isEqualTo(JobPhase.FAILED);
    }

    @Test
    void theSameKeyForAnotherRequestIsAMismatch() {
        accept(request("fox", T0));
        assertThat(acceptance.decide(key, request("owl", T0.plusSeconds(1)), T0.plusSeconds(1)))
                .isInstanceOf(IdempotentAcceptance.Mismatch.class);
        GenerationRequested otherSeed = new GenerationRequested(null, "fox", null, 512, 512, 20, 7.5, 3L, null, 1,
                "tiny-random", T0.plusSeconds(1));
        assertThat(acceptance.decide(key, otherSeed, T0.plusSeconds(1)))
                .isInstanceOf(IdempotentAcceptance.Mismatch.class);
    }

    @Test
    void afterTheWindowTheKeyStartsItsNextJob() {
        accept(request("fox", T0));
        Instant later = T0.plus(WINDOW);
        IdempotentAcceptance.Publish next = publish(acceptance.decide(key, request("fox", later), later));
        assertThat(next.request().jobId()).isEqualTo(key.jobId(1)).isNotEqualTo(key.jobId(0));
        accept(next);

        // Within the second job's window the key answers with the second job; another body is a mismatch with it.
        Instant within = later.plus(WINDOW).minusMillis(1);
        IdempotentAcceptance.Decision repeat = acceptance.decide(key, request("fox", within), within);
        assertThat(((IdempotentAcceptance.Replay) repeat).status().id()).isEqualTo(key.jobId(1));
        assertThat(acceptance.decide(key, request("owl", within), within))
                .isInstanceOf(IdempotentAcceptance.Mismatch.class);
        // And after both windows: a third job, whatever the body.
        Instant third = later.plus(WINDOW);
        assertThat(publish(acceptance.decide(key, request("owl", third), third)).request().jobId())
                .isEqualTo(key.jobId(2));
    }

    @Test
    void whileTheFirstIsBeingPublishedARepeatIsInFlightAndAnotherBodyAMismatch() {
        IdempotentAcceptance.Publish first = publish(acceptance.decide(key, request("fox", T0), T0));
        assertThat(acceptance.decide(key, request("fox", T0.plusMillis(5)), T0.plusMillis(5)))
                .isInstanceOf(IdempotentAcceptance.InFlight.class);
        assertThat(acceptance.decide(key, request("owl", T0.plusMillis(5)), T0.plusMillis(5)))
                .isInstanceOf(IdempotentAcceptance.Mismatch.class);

        // The publish failed (no view update): the claim is released and a retry may publish.
        first.release();
        assertThat(acceptance.decide(key, request("fox", T0.plusSeconds(1)), T0.plusSeconds(1)))
                .isInstanceOf(IdempotentAcceptance.Publish.class);
    }

    @Test
    void aKeyedJobKnownOnlyFromItsEventsIsStillTheSameJob() {
        // E.g. the request record was already deleted by retention, or not read yet while its events were.
        view.onEvent(new GenerationEvent.Started(key.jobId(0), T0, 1, "w1"));
        IdempotentAcceptance.Decision repeat = acceptance.decide(key, request("anything", T0.plusSeconds(1)),
                T0.plusSeconds(1));
        assertThat(((IdempotentAcceptance.Replay) repeat).status().id()).isEqualTo(key.jobId(0));
    }

    @Test
    void whenTheStoreCannotAnswerNothingIsDecidedAndNoClaimIsLeft() {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        IdempotentAcceptance flaky = new IdempotentAcceptance(id -> {
            if (down.get()) {
                throw new StatusUnavailableException("rebalancing");
            }
            return view.get(id);
        }, WINDOW);
        assertThatThrownBy(() -> flaky.decide(key, request("fox", T0), T0))
                .isInstanceOf(StatusUnavailableException.class);
        down.set(false);
        assertThat(flaky.decide(key, request("fox", T0), T0)).as("no claim was left behind")
                .isInstanceOf(IdempotentAcceptance.Publish.class);
    }

    @Test
    void otherKeysAreIndependent() {
        accept(request("fox", T0));
        IdempotencyKey other = new IdempotencyKey("order-18");
        assertThat(publish(acceptance.decide(other, request("fox", T0), T0)).request().jobId())
                .isEqualTo(other.jobId(0));
    }

    private void accept(GenerationRequested request) {
        accept(publish(acceptance.decide(key, request, request.requestedAt())));
    }

    /** What the resource does after the broker's acknowledgement. */
    private void accept(IdempotentAcceptance.Publish publish) {
        view.onRequest(publish.request());
        publish.release();
    }

    private static IdempotentAcceptance.Publish publish(IdempotentAcceptance.Decision decision) {
        assertThat(decision).isInstanceOf(IdempotentAcceptance.Publish.class);
        return (IdempotentAcceptance.Publish) decision;
    }

    private static GenerationRequested request(String prompt, Instant at) {
        return new GenerationRequested("random-" + at.toEpochMilli(), prompt, null, 512, 512, 20, 7.5, null, null,
                1, "tiny-random", at);
    }
}
