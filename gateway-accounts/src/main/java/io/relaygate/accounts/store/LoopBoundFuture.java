package io.relaygate.accounts.store;

import io.lettuce.core.RedisFuture;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The result of a command made on an event loop that runs its own Redis connection ({@link LoopRouter}, with assertions
 * on): a wait on it from that loop fails at once. The answer is read by that very loop, so such a wait could only end
 * by the command timeout, with every request of the loop stalled meanwhile. Stages derived from it ({@code thenApply},
 * {@code thenCompose}, {@code toCompletableFuture}) carry the same guard.
 */
final class LoopBoundFuture<T> extends CompletableFuture<T> implements RedisFuture<T> {

    private final EventLoop loop;
    private volatile @Nullable String error;

    private LoopBoundFuture(EventLoop loop) {
        this.loop = loop;
    }

    static <T> LoopBoundFuture<T> of(RedisFuture<T> source, EventLoop loop) {
        LoopBoundFuture<T> out = new LoopBoundFuture<>(loop);
        source.whenComplete((value, e) -> {
            if (e == null) {
                out.complete(value);
            } else {
                out.error = source.getError();
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    private void checkNotOnLoop() {
        if (!isDone() && loop.inEventLoop()) {
            throw new IllegalStateException("a Redis result was waited for on the event loop that reads its answer ("
                    + Thread.currentThread().getName() + "): the wait could only end by the command timeout");
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        checkNotOnLoop();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        checkNotOnLoop();
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        checkNotOnLoop();
        return super.join();
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        checkNotOnLoop();
        try {
            super.get(timeout, unit);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    @Override
    public @Nullable String getError() {
        return error;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new LoopBoundFuture<>(loop);
    }
}
