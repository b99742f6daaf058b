package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.core.Account;
import io.relaygate.core.WireFormat;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The simple account choice of the backbone: the schedulable accounts that speak the request's format natively and
 * serve its model, best first (lower priority number, then name). The account list is read from the store at most
 * once per {@link #DEFAULT_CACHE_TTL}, so a busy gateway costs the store one list per second, and an account added
 * or disabled by the CLI is seen within that time.
 *
 * <p>Deliberately small: sticky sessions, cool-downs, least-recently-used order and key bindings belong to the full
 * scheduler that replaces this class.
 */
public final class AccountSelector {

    /** How long the account list is reused. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(1);

    private final AccountStore store;
    private final @Nullable AsyncLoadingCache<Boolean, List<Account>> accounts;

    public AccountSelector(AccountStore store) {
        this(store, Ticker.systemTicker(), DEFAULT_CACHE_TTL);
    }

    /**
     * @param ticker drives the cache expiry (tests advance a fake one)
     * @param cacheTtl how long the account list is reused
     */
    public AccountSelector(AccountStore store, Ticker ticker, Duration cacheTtl) {
        requireNonNull(store, "store");
        requireNonNull(ticker, "ticker");
        requireNonNull(cacheTtl, "cacheTtl");
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("cacheTtl: " + cacheTtl + " (expected: >= 0)");
        }
        // one entry under a constant key: Caffeine gives expiry and coalescing of concurrent loads for free
        this.store = store;
        // zero: read every time (Caffeine may serve an entry of a zero-expiry cache until its maintenance runs)
        this.accounts = cacheTtl.isZero()
                ? null
                : Caffeine.newBuilder()
                        .executor(Caches.SAME_THREAD)
                        .ticker(ticker)
                        .maximumSize(1)
                        .expireAfterWrite(cacheTtl)
                        .buildAsync((ignored, executor) -> store.list().toCompletableFuture());
    }

    /** Drops the cached account list, so the next request reads the store (an account was added or changed). */
    public void invalidate() {
        AsyncLoadingCache<Boolean, List<Account>> cache = accounts;
        if (cache != null) {
            cache.synchronous().invalidateAll();
        }
    }

    /**
     * The accounts that may serve a request in {@code format} for {@code model} ({@code null}: any model), best
     * first; empty when none can.
     */
    public CompletionStage<List<Account>> candidates(WireFormat format, @Nullable String model) {
        return candidates(List.of(requireNonNull(format, "format")), model);
    }

    /**
     * The accounts speaking any of {@code formats} (the request's own format first, then formats the gateway converts
     * to) that serve {@code model}, best first: lower priority number, then the earlier format, then name.
     */
    public CompletionStage<List<Account>> candidates(List<WireFormat> formats, @Nullable String model) {
        List<WireFormat> order = List.copyOf(requireNonNull(formats, "formats"));
        Comparator<Account> byFormat =
                Comparator.comparingInt(a -> order.indexOf(a.kind().format()));
        Comparator<Account> ranking = Comparator.comparingInt(Account::priority)
                .thenComparing(byFormat)
                .thenComparing(Account::name);
        AsyncLoadingCache<Boolean, List<Account>> cache = accounts;
        CompletableFuture<List<Account>> all =
                cache == null ? store.list().toCompletableFuture() : cache.get(Boolean.TRUE);
        return all.thenApply(list -> list.stream()
                .filter(Account::schedulable)
                .filter(a -> order.contains(a.kind().format()))
                .filter(a -> serves(a, model))
                .sorted(ranking)
                .toList());
    }

    /**
     * Whether {@code account} serves {@code model}: any model when its list is empty, else an exact then a
     * case-insensitive match in its models or its model map's keys (a mapped name is served by translation).
     */
    static boolean serves(Account account, @Nullable String model) {
        if (model == null || account.models().isEmpty()) {
            return true;
        }
        if (account.models().contains(model) || account.modelMap().containsKey(model)) {
            return true;
        }
        return account.models().stream().anyMatch(model::equalsIgnoreCase)
                || account.modelMap().keySet().stream().anyMatch(model::equalsIgnoreCase);
    }
}
