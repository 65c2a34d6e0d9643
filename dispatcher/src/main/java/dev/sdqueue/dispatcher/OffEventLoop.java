package dev.sdqueue.dispatcher;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs blocking work (a status lookup that may ask another replica over HTTP) on a worker thread, then continues
 * on the caller's Vert.x context, so the rest of the request (publishing, tracing context) runs where it would have.
 */
final class OffEventLoop {
    private OffEventLoop() {
    }

    static <T> Uni<T> run(Supplier<T> blocking) {
        Context caller = Vertx.currentContext();
        Uni<T> onWorker = Uni.createFrom().item(blocking).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return caller == null ? onWorker : onWorker.emitOn(command -> caller.runOnContext(ignored -> command.run()));
    }
}
