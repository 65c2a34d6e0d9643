package dev.sdqueue.dispatcher;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * @param abandoned given the result if the request is cancelled (client gone) before the result is handed on,
     *                  e.g. to release an idempotency claim; it may be called twice, so it must be idempotent
     */
    static <T> Uni<T> run(Supplier<T> blocking, Consumer<T> abandoned) {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<T> result = new AtomicReference<>();
        Context caller = Vertx.currentContext();
        Uni<T> onWorker = Uni.createFrom().item(() -> {
            T value = blocking.get();
            result.set(value);
            if (cancelled.get()) {
                abandoned.accept(value);
            }
            return value;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        Uni<T> resumed = caller == null ? onWorker
                : onWorker.emitOn(command -> caller.runOnContext(ignored -> command.run()));
        return resumed.onCancellation().invoke(() -> {
            cancelled.set(true);
            T value = result.get();
            if (value != null) {
                abandoned.accept(value);
            }
        });
    }
}
