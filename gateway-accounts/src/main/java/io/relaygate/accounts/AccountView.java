package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.SharedState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * What the scheduler knows about the accounts' runtime state: the shared view (conditions, last-used times, quota
 * readings), read from the store at most once per view TTL, merged with what this instance learned itself since (a
 * condition it set or cleared, an account it just used), which counts at once.
 */
final class AccountView {

    /** One read of the shared state. */
    record Snapshot(
            Map<String, AccountCondition> conditions,
            Map<String, Instant> lastUsed,
            Map<String, AccountQuota> quotas,
            long loadedAtNanos) {}

    /** A condition learned here (null: cleared here), newer than any shared view read before {@code setAtNanos}. */
    private record Local(@Nullable AccountCondition condition, long setAtNanos) {}

    private final SharedState state;
    private final Clock clock;
    private final Ticker ticker;
    private final StoreBudget budget;
    private final QuotaBook quotas;
    private final BiConsumer<String, Throwable> storeTrouble;
    private final @Nullable AsyncLoadingCache<Boolean, Snapshot> views;
    private final Map<String, Local> localConditions = new ConcurrentHashMap<>();
    private final Map<String, Instant> localUsed = new ConcurrentHashMap<>();

    /**
     * @param viewTtl how long a shared view is reused; zero: read on every request
     * @param storeTrouble told what failed and why when the store cannot be read (the view is then empty)
     * @param budget how long a read waits for the store before the view is empty, as when it cannot be read
     */
    AccountView(
            SharedState state,
            Clock clock,
            Ticker ticker,
            QuotaBook quotas,
            Duration viewTtl,
            BiConsumer<String, Throwable> storeTrouble,
            StoreBudget budget) {
        this.budget = requireNonNull(budget, "budget");
        this.state = requireNonNull(state, "state");
        this.clock = requireNonNull(clock, "clock");
        this.ticker = requireNonNull(ticker, "ticker");
        this.quotas = requireNonNull(quotas, "quotas");
        this.storeTrouble = requireNonNull(storeTrouble, "storeTrouble");
        // zero: read every time (Caffeine may serve an entry of a zero-expiry cache until its maintenance runs)
        this.views = viewTtl.isZero()
                ? null
                : Caffeine.newBuilder()
                        .executor(Caches.SAME_THREAD)
                        .ticker(ticker)
                        .maximumSize(1)
                        .expireAfterWrite(viewTtl)
                        .buildAsync((ignored, executor) -> load());
    }

    /** The current shared view (cached, or being read). */
    CompletableFuture<Snapshot> current() {
        AsyncLoadingCache<Boolean, Snapshot> cache = views;
        return cache == null ? load() : cache.get(Boolean.TRUE);
    }

    private CompletableFuture<Snapshot> load() {
        long started = ticker.read();
        Instant now = clock.instant();
        CompletableFuture<Map<String, AccountQuota>> readings = budget.within(state.quotas(), "reading account quotas")
                .exceptionally(e -> {
                    storeTrouble.accept("reading account quotas", e);
                    return Map.of();
                });
        return budget.within(
                        state.conditions(now)
                                .thenCombine(state.lastUsed(), (c, u) -> new Snapshot(c, u, Map.of(), started)),
                        "reading account conditions")
                .exceptionally(e -> {
                    storeTrouble.accept("reading account conditions", e);
                    return new Snapshot(Map.of(), Map.of(), Map.of(), started);
                })
                .thenCombine(readings, (v, q) -> {
                    quotas.sharedLoaded(q);
                    return new Snapshot(v.conditions, v.lastUsed, q, v.loadedAtNanos);
                });
    }

    /** Drops the cached view, so the next request reads the store. */
    void invalidate() {
        AsyncLoadingCache<Boolean, Snapshot> cache = views;
        if (cache != null) {
            cache.synchronous().invalidateAll();
        }
    }

    /** This instance set {@code condition} on the account: it counts here at once. */
    void learned(String accountId, AccountCondition condition) {
        localConditions.put(accountId, new Local(condition, ticker.read()));
    }

    /** This instance cleared the account's condition (its trial succeeded): it is back here at once. */
    void cleared(String accountId) {
        localConditions.put(accountId, new Local(null, ticker.read()));
    }

    /** This instance gave the account a request at {@code at}. */
    void used(String accountId, Instant at) {
        localUsed.put(accountId, at);
    }

    /**
     * The conditions in effect at {@code now} (out of rotation, or awaiting a trial): the view's, overridden by what
     * this instance learned after the view was read.
     */
    Map<String, AccountCondition> conditions(Snapshot view, Instant now) {
        if (view.conditions.isEmpty() && localConditions.isEmpty()) {
            return Map.of();
        }
        Map<String, AccountCondition> merged = new HashMap<>(view.conditions);
        localConditions.forEach((id, lc) -> {
            if (lc.setAtNanos - view.loadedAtNanos >= 0) {
                // learned here after the shared view was read: newer than it
                if (lc.condition == null) {
                    merged.remove(id);
                } else {
                    merged.put(id, lc.condition);
                }
            }
        });
        merged.values().removeIf(c -> !c.inEffectAt(now));
        return merged;
    }

    /** When the account was last given a request, by this instance or (as of the view) by any. */
    Instant lastUse(Snapshot view, String accountId) {
        Instant shared = view.lastUsed.get(accountId);
        Instant here = localUsed.get(accountId);
        if (shared == null) {
            return here == null ? Instant.EPOCH : here;
        }
        return here == null || shared.isAfter(here) ? shared : here;
    }
}
