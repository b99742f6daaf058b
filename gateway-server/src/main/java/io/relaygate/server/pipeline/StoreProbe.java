package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.Store;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The store's reachability for {@link Readiness}: the answer of the last {@link Store#ping()} (a Redis {@code PING};
 * the embedded store is always there), started at most once per interval by the calls that read it, so that load
 * balancers polling {@code /readyz} often cost the store one command a second at most. A ping without an answer
 * within the timeout counts as unreachable.
 */
public final class StoreProbe implements Readiness.Check {

    /** Longest a probe's answer is reused. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    /** A store that has not answered a PING within this is unreachable for readiness. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    static final String UNREACHABLE = "store unreachable";
    static final String NOT_PROBED = "store not probed yet";

    private final Store store;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong startedAt;
    private volatile @Nullable String reason = NOT_PROBED;

    public StoreProbe(Store store, LongSupplier nanoTime, Duration interval, Duration timeout) {
        this.store = requireNonNull(store, "store");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.intervalNanos = requireNonNull(interval, "interval").toNanos();
        this.timeoutNanos = requireNonNull(timeout, "timeout").toNanos();
        this.startedAt = new AtomicLong(nanoTime.getAsLong() - intervalNanos);
    }

    @Override
    public @Nullable String notReadyReason() {
        probeIfDue();
        return reason;
    }

    /** Starts a probe unless one runs or the last started within the interval; returns at once. */
    public void probeIfDue() {
        start();
    }

    /** The started probe, completing once its answer is taken; null when none was due. */
    private @Nullable CompletableFuture<Void> start() {
        long now = nanoTime.getAsLong();
        long last = startedAt.get();
        if (now - last < intervalNanos || !probing.compareAndSet(false, true)) {
            return null;
        }
        startedAt.set(now);
        return store.ping()
                .toCompletableFuture()
                .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
                .handle((ok, e) -> {
                    // the cause may name the store's address: readiness only says that it did not answer
                    reason = e == null ? null : UNREACHABLE;
                    probing.set(false);
                    return null;
                });
    }

    /** Probes now and waits for the answer, bounded by the timeout (start-up only: it blocks). */
    public void probeNow() {
        startedAt.set(nanoTime.getAsLong() - intervalNanos);
        CompletableFuture<Void> probe = start();
        if (probe == null) {
            return;
        }
        try {
            probe.get(timeoutNanos + TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the probe's handler records the outcome; nothing else to do here
        }
    }
}
