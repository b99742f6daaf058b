package io.relaygate.server.pipeline;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/** Brings the result of an asynchronous store call back onto a channel's event loop. */
public final class EventLoops {

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
            } else {
                executor.execute(() -> callback.accept(value, error));
            }
        });
    }
}
