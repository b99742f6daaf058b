package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.StoreChanges;
import io.relaygate.core.Secrets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store's {@link StoreChanges}: listeners of this process, and a transmitter that carries a change to every instance
 * (Redis {@code PUBLISH}, whose subscription calls {@link #deliver} back here; the embedded store delivers directly).
 */
final class ChangeFeed implements StoreChanges {

    private static final Logger logger = LoggerFactory.getLogger(ChangeFeed.class);

    /** At most one warning per this many nanoseconds: a Redis outage must not turn each admin write into a line. */
    private static final long WARN_INTERVAL_NANOS = 10_000_000_000L;

    private final List<Consumer<StoreChange>> listeners = new CopyOnWriteArrayList<>();
    private final Function<String, CompletionStage<?>> transmit;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS - 1);

    /** @param transmit sends an encoded change to every instance, this one included */
    ChangeFeed(Function<String, CompletionStage<?>> transmit) {
        this.transmit = requireNonNull(transmit, "transmit");
    }

    /** A feed for one process only: a change is delivered here, synchronously. */
    static ChangeFeed inProcess() {
        ChangeFeed[] self = new ChangeFeed[1];
        self[0] = new ChangeFeed(message -> {
            self[0].deliver(message);
            return CompletableFuture.completedFuture(null);
        });
        return self[0];
    }

    @Override
    public AutoCloseable subscribe(Consumer<StoreChange> listener) {
        requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public CompletionStage<Void> publish(StoreChange change) {
        requireNonNull(change, "change");
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletionStage<?> sent;
        try {
            sent = transmit.apply(change.encode());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ignored, e) -> {
            if (e != null) {
                warn(change, e);
            }
            done.complete(null);
        });
        return done;
    }

    /** Runs {@code write}, then publishes what it changed; the write's result (or failure) is the caller's. */
    <T> CompletionStage<T> after(CompletionStage<T> write, Function<T, StoreChange> change) {
        return write.thenCompose(value -> publish(change.apply(value)).thenApply(ignored -> value));
    }

    /** A message that came over the channel: every listener gets it; one that throws does not stop the others. */
    void deliver(String message) {
        deliver(StoreChange.decode(message));
    }

    void deliver(StoreChange change) {
        for (Consumer<StoreChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                logger.warn("a store change listener failed on {}: {}", change.encode(), e.toString());
            }
        }
    }

    private void warn(StoreChange change, Throwable e) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last > WARN_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            logger.warn(
                    "could not publish the change {} to other instances (they see it within their cache TTL): {}",
                    change.encode(),
                    Secrets.redact(String.valueOf(e)));
        }
    }
}
