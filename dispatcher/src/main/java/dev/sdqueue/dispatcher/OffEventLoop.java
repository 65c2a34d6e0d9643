package dev.sdqueue.dispatcher;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs blocking work (a status lookup that may ask another replica over HTTP) on a worker thread, then continues
 * on the caller's Vert.x context, so the rest of the request (publishing, tracing context) runs where it would have.
 */
final class OffEventLoop {
    private OffEventLoop() {
    }

    /** Marks a request that was cancelled before its result was handed on. */
    private static final Object CANCELLED = new Object();

    /**
     * @param abandoned given the result, exactly once, if the request is cancelled (client gone) before the result is
     *                  handed on, e.g. to release an idempotency claim; never called otherwise
     */
    @SuppressWarnings("unchecked")
    static <T> Uni<T> run(Supplier<T> blocking, Consumer<T> abandoned) {
        // One hand-off slot: whichever of the worker (result) and the cancellation comes second abandons the result.
        AtomicReference<Object> handoff = new AtomicReference<>();
        Context caller = Vertx.currentContext();
        Uni<T> onWorker = Uni.createFrom().item(() -> {
            T value = blocking.get();
            if (!handoff.compareAndSet(null, value)) {
                abandoned.accept(value);
            }
            return value;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        Uni<T> resumed = caller == null ? onWorker
                : onWorker.emitOn(command -> caller.runOnContext(ignored -> command.run()));
        return resumed.onCancellation().invoke(() -> {
            Object value = handoff.getAndSet(CANCELLED);
            if (value != null && value != CANCELLED) {
                abandoned.accept((T) value);
            }
        });
    }
}
