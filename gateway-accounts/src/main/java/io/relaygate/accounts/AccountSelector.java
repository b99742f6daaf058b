package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.core.Account;
import io.relaygate.core.Durations;
import io.relaygate.core.Secrets;
import io.relaygate.core.WireFormat;
import io.relaygate.core.config.SchedulingConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simple account choice of the backbone: the schedulable accounts that speak the request's format natively and
 * serve its model, best first (lower priority number, then name). The account list is read from the store at most
 * once per {@link #DEFAULT_CACHE_TTL}, so a busy gateway costs the store one list per second, and an account added
 * or disabled by the CLI is seen within that time.
 *
 * <p>Store outages: the list read last is served for up to {@code staleFor} after that read while the store fails
 * (logged once when it starts and once when the store is back), so an outage does not take every account away. The
 * loader never fails towards Caffeine, which would log each failure with a stack trace through {@code System.Logger},
 * outside the logging setup: a failed read is a {@link Lookup} that lives for no time.
 *
 * <p>Deliberately small: sticky sessions, cool-downs, least-recently-used order and key bindings belong to the full
 * scheduler that replaces this class.
 */
public final class AccountSelector {

    /** How long the account list is reused. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(1);

    private static final Logger logger = LoggerFactory.getLogger(AccountSelector.class);

    /** What one read of the store gave: the accounts (maybe as read before an outage), or the store's failure. */
    private record Lookup(
            @Nullable List<Account> accounts, @Nullable Throwable failure) {}

    /** The list as last read, and when (ticker nanos). */
    private record LastRead(List<Account> accounts, long atNanos) {}

    private final AccountStore store;
    private final StoreBudget budget;
    private final Ticker ticker;
    private final long staleForNanos;
    private final @Nullable AsyncLoadingCache<Boolean, Lookup> accounts;
    private volatile @Nullable LastRead lastRead;
    private final AtomicBoolean servingStale = new AtomicBoolean();

    public AccountSelector(AccountStore store) {
        this(store, Ticker.systemTicker(), DEFAULT_CACHE_TTL);
    }

    public AccountSelector(AccountStore store, Ticker ticker, Duration cacheTtl) {
        this(store, ticker, cacheTtl, SchedulingConfig.DEFAULT_STALE_FOR);
    }

    /**
     * @param ticker drives the cache expiry (tests advance a fake one)
     * @param cacheTtl how long the account list is reused
     * @param staleFor how long after its last successful read the list is still served while the store fails
     */
    public AccountSelector(AccountStore store, Ticker ticker, Duration cacheTtl, Duration staleFor) {
        this(store, ticker, cacheTtl, staleFor, StoreBudget.NONE);
    }

    /** As above; {@code budget}: how long a read of the list waits for the store before the list as last read serves. */
    public AccountSelector(
            AccountStore store, Ticker ticker, Duration cacheTtl, Duration staleFor, StoreBudget budget) {
        this.budget = requireNonNull(budget, "budget");
        requireNonNull(store, "store");
        requireNonNull(ticker, "ticker");
        requireNonNull(cacheTtl, "cacheTtl");
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("cacheTtl: " + cacheTtl + " (expected: >= 0)");
        }
        requireNonNull(staleFor, "staleFor");
        if (staleFor.isNegative()) {
            throw new IllegalArgumentException("staleFor: " + staleFor + " (expected: >= 0)");
        }
        // one entry under a constant key: Caffeine gives expiry and coalescing of concurrent loads for free
        this.store = store;
        this.ticker = ticker;
        this.staleForNanos = staleFor.toNanos();
        // zero: read every time (Caffeine may serve an entry of a zero-expiry cache until its maintenance runs)
        this.accounts = cacheTtl.isZero()
                ? null
                : Caffeine.newBuilder()
                        .executor(Caches.SAME_THREAD)
                        .ticker(ticker)
                        .maximumSize(1)
                        .expireAfter(Expiry.<Boolean, Lookup>creating(
                                (k, lookup) -> lookup.accounts() != null ? cacheTtl : Duration.ZERO))
                        .buildAsync((ignored, executor) -> load());
    }

    /** Reads the list; on a store failure answers with the list read last (if recent enough), never exceptionally. */
    private CompletableFuture<Lookup> load() {
        CompletableFuture<List<Account>> read;
        try {
            read = budget.within(store.list(), "reading the accounts");
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((list, e) -> {
            if (e == null) {
                lastRead = new LastRead(list, ticker.read());
                if (servingStale.compareAndSet(true, false)) {
                    logger.info("account store is back: accounts are read from it again");
                }
                return new Lookup(list, null);
            }
            LastRead last = lastRead;
            if (last == null || ticker.read() - last.atNanos() > staleForNanos) {
                return new Lookup(null, e);
            }
            if (servingStale.compareAndSet(false, true)) {
                logger.warn(
                        "account store unavailable, serving the accounts as last read (up to {} old) until it is"
                                + " back: {}",
                        Durations.format(Duration.ofNanos(staleForNanos)),
                        Secrets.redact(String.valueOf(e)));
            }
            // cached like a fresh read: the store is asked again once per cache time, not on every request
            return new Lookup(last.accounts(), null);
        });
    }

    /** The accounts, from the cache or (zero cache time) the store; fails only when the store fails with no stale list. */
    private CompletableFuture<List<Account>> all() {
        AsyncLoadingCache<Boolean, Lookup> cache = accounts;
        CompletableFuture<Lookup> lookup = cache == null ? load() : cache.get(Boolean.TRUE);
        return lookup.thenApply(result -> {
            List<Account> list = result.accounts();
            if (list == null) {
                if (cache != null) {
                    // a failure lives for no time: the next request asks the store again
                    cache.asMap().remove(Boolean.TRUE, lookup);
                }
                Throwable failure = requireNonNull(result.failure(), "failure");
                throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
            }
            return list;
        });
    }

    /** Drops the cached account list, so the next request reads the store (an account was added or changed). */
    public void invalidate() {
        AsyncLoadingCache<Boolean, Lookup> cache = accounts;
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
        return choose(formats, model).thenApply(Choice::accounts);
    }

    /**
     * The candidates, best first, and the accounts passed over with why (by name, in list order): not schedulable,
     * another format, the model not served. Computed from the cached list: no store call.
     */
    public record Choice(List<Account> accounts, Map<String, String> skipped) {}

    /** {@link #candidates(List, String)} with the accounts it passed over and why. */
    public CompletionStage<Choice> choose(List<WireFormat> formats, @Nullable String model) {
        List<WireFormat> order = List.copyOf(requireNonNull(formats, "formats"));
        Comparator<Account> byFormat =
                Comparator.comparingInt(a -> order.indexOf(a.kind().format()));
        Comparator<Account> ranking = Comparator.comparingInt(Account::priority)
                .thenComparing(byFormat)
                .thenComparing(Account::name);
        return all().thenApply(list -> {
            List<Account> chosen = new ArrayList<>(list.size());
            Map<String, String> skipped = null;
            for (Account a : list) {
                String why = !a.schedulable()
                        ? "not schedulable"
                        : !order.contains(a.kind().format())
                                ? "a " + a.kind().wireName() + " account does not serve this route"
                                : !serves(a, model) ? "model " + model + " not served" : null;
                if (why == null) {
                    chosen.add(a);
                } else {
                    if (skipped == null) {
                        skipped = new LinkedHashMap<>();
                    }
                    skipped.put(a.name(), why);
                }
            }
            chosen.sort(ranking);
            return new Choice(chosen, skipped == null ? Map.of() : skipped);
        });
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
