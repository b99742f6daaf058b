package io.relaygate.server.pipeline;

import io.netty.util.concurrent.EventExecutor;
import io.relaygate.core.RepeatedWarnings;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/** Brings the result of an asynchronous store call back onto a channel's event loop. */
public final class EventLoops {

    private static final RepeatedWarnings warnings =
            new RepeatedWarnings(org.slf4j.LoggerFactory.getLogger(EventLoops.class));

    private EventLoops() {}

    /**
     * Runs {@code callback} on {@code executor} when {@code stage} completes: directly when it completes on that event
     * loop (a cache hit), otherwise as a task on it (a Lettuce thread finished the call).
     */
    public static <T> void onLoop(
            CompletionStage<T> stage, EventExecutor executor, BiConsumer<? super T, ? super Throwable> callback) {
        stage.whenComplete((value, error) -> {
            if (executor.inEventLoop()) {
                callback.accept(value, error);
                return;
            }
            try {
                executor.execute(() -> callback.accept(value, error));
            } catch (RejectedExecutionException e) {
                // The loop is shutting down: its channels are being closed (and release what they hold), so the
                // result has no one to go to. It is our own state, not the store's nor an account's: nothing is
                // recorded, and the store thread that completed the call is not failed with it.
                warnings.warn("rejected", "a store result arrived after its event loop stopped; dropped");
            }
        });
    }
}
