package io.relaygate.accounts.store;

import io.relaygate.accounts.Locks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** Locks of the embedded store: one gateway process per data folder, so a map in memory is the whole truth. */
final class LocalLocks implements Locks {

    private record Lease(String owner, long untilNanos) {}

    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    LocalLocks(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public CompletionStage<Boolean> tryLock(String name, String owner, Duration ttl) {
        long now = nanoTime.getAsLong();
        Lease mine = new Lease(owner, now + ttl.toNanos());
        Lease result = leases.compute(name, (k, held) -> held == null || held.untilNanos - now <= 0 ? mine : held);
        return CompletableFuture.completedFuture(result == mine);
    }

    @Override
    public CompletionStage<Void> unlock(String name, String owner) {
        leases.computeIfPresent(name, (k, held) -> held.owner.equals(owner) ? null : held);
        return CompletableFuture.completedFuture(null);
    }
}
