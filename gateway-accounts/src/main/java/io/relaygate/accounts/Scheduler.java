package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.Admission;
import io.relaygate.accounts.state.AdmissionRequest;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.core.Account;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.KeyRules;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.WireFormat;
import io.relaygate.core.config.SchedulingConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the accounts a request may go to, best first, after admitting it under its key's limits.
 *
 * <p>Candidates are the accounts that speak a format the request can be served in, are schedulable, serve the model,
 * are in the key's bound account or group, and are not out of rotation (cooling down after a 429 or 529, or refused
 * credentials). Order: the session's sticky account when it is a candidate and has at least
 * {@link #STICKY_HEADROOM_FLOOR} of quota headroom; then lower priority number, more quota headroom (in steps of
 * {@link #HEADROOM_STEP}), the request's own format before converted ones, least recently used, name.
 *
 * <p>Quota headroom is what the upstream's rate-limit headers said ({@link #observeQuota}): 1 minus the largest used
 * fraction among the account's windows that have not reset yet; an account nothing is known about has full headroom.
 * The steps are coarse on purpose, so accounts that are about equally used still take turns by least recent use while
 * a nearly spent one is passed over before it answers 429.
 *
 * <p>Cost on the hot path: one {@link SharedState#admit} (a single Lua script on Redis; nothing at all for a key
 * without limits and a request without a session). Account conditions, last-used times and quota readings are read at
 * most once per {@link #VIEW_TTL} per instance; what this instance learns itself (a 429, an account it just used, a
 * quota reading) counts at once.
 */
public final class Scheduler {

    private static final Logger logger = LoggerFactory.getLogger(Scheduler.class);

    /** How long the shared view of account conditions and last-used times is reused. */
    public static final Duration VIEW_TTL = Duration.ofSeconds(1);

    /** What a request asks for. */
    public record Demand(
            ApiKey key,
            List<WireFormat> formats,
            @Nullable String model,
            @Nullable String sessionHash,
            String requestId,
            String requestKind) {

        public Demand {
            requireNonNull(key, "key");
            formats = List.copyOf(formats);
            requireNonNull(requestId, "requestId");
            requireNonNull(requestKind, "requestKind");
        }
    }

    /** The scheduler's answer. */
    public sealed interface Decision permits Admitted, Refused, Unavailable {}

    /**
     * Go ahead with {@code accounts}, best first.
     *
     * @param leaseHeld whether a concurrency lease is held for the request (renew it on long streams, release it at
     *     the end)
     * @param stickyAccountId the session's account before this request, if any
     */
    public record Admitted(
            List<Account> accounts,
            boolean leaseHeld,
            @Nullable String stickyAccountId) implements Decision {}

    /** A key limit refused the request (a 429 for the client). */
    public record Refused(Admission admission, String message) implements Decision {}

    /**
     * No account can take it; {@code retryAt} when the first one comes back by itself. {@code kind} is what the client
     * is told: a 429 when every account is rate limited, a 529 (overloaded) when they are rate limited or overloaded,
     * else a 503.
     */
    public record Unavailable(String message, @Nullable Instant retryAt, ErrorKind kind) implements Decision {

        public Unavailable(String message, @Nullable Instant retryAt) {
            this(message, retryAt, ErrorKind.UNAVAILABLE);
        }
    }

    private record View(
            Map<String, AccountCondition> conditions,
            Map<String, Instant> lastUsed,
            Map<String, AccountQuota> quotas,
            long loadedAtNanos) {}

    private record LocalCondition(AccountCondition condition, long setAtNanos) {}

    private final AccountSelector selector;
    private final SharedState state;
    private final SchedulingConfig config;
    private final Clock clock;
    private final Ticker ticker;
    private final @Nullable AsyncLoadingCache<Boolean, View> views;
    private final Map<String, LocalCondition> localConditions = new ConcurrentHashMap<>();
    private final Map<String, Instant> localUsed = new ConcurrentHashMap<>();
    private final io.relaygate.core.RepeatedWarnings warnings;
    private final AtomicLong failedOpen = new AtomicLong();
    /**
     * Sticky mappings this instance read or wrote lately, by {@code keyId|session}: for a key without limits a hit
     * spares the store round trip before the upstream call. Entries live {@link #LOCAL_STICKY_TTL}, so a session that
     * another instance moved to another account follows within that time, and the store's TTL is renewed (by the next
     * miss) at least that often.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, String> localSticky;

    /** How often at most one account's last-used time is written to the store. */
    public static final Duration USED_PUSH_INTERVAL = Duration.ofMillis(250);

    private final Map<String, Long> usedPushedAt = new ConcurrentHashMap<>();

    /** How long this instance trusts a sticky mapping it saw without asking the store again. */
    public static final Duration LOCAL_STICKY_TTL = Duration.ofSeconds(30);

    /** How often at most one account's quota reading is written to the store. */
    public static final Duration QUOTA_PUSH_INTERVAL = Duration.ofSeconds(1);

    /**
     * Headroom is compared in steps of this size (rounded), so accounts within about one step of each other rotate by
     * least recent use instead of the emptier one taking every request.
     */
    public static final double HEADROOM_STEP = 0.1;

    /**
     * A session leaves its sticky account when the account's headroom is below this: a prompt cache is worth less
     * than a request that would meet a 429 (or an overage charge) on an account about to run out.
     */
    public static final double STICKY_HEADROOM_FLOOR = 0.05;

    private final QuotaBook quotas;

    public Scheduler(AccountSelector selector, SharedState state, SchedulingConfig config) {
        this(selector, state, config, Clock.systemUTC(), Ticker.systemTicker(), VIEW_TTL);
    }

    public Scheduler(AccountSelector selector, SharedState state, SchedulingConfig config, Clock clock, Ticker ticker) {
        this(selector, state, config, clock, ticker, VIEW_TTL);
    }

    /**
     * @param clock the time limits, windows and cool-downs are measured in (tests move a fake one)
     * @param ticker drives the view cache's expiry
     * @param viewTtl how long the shared view of account conditions and last-used times is reused
     */
    public Scheduler(
            AccountSelector selector,
            SharedState state,
            SchedulingConfig config,
            Clock clock,
            Ticker ticker,
            Duration viewTtl) {
        this.selector = requireNonNull(selector, "selector");
        this.state = requireNonNull(state, "state");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.ticker = requireNonNull(ticker, "ticker");
        this.warnings = new io.relaygate.core.RepeatedWarnings(
                logger, io.relaygate.core.RepeatedWarnings.DEFAULT_INTERVAL, ticker::read);
        this.quotas = new QuotaBook(state, ticker, QUOTA_PUSH_INTERVAL, e -> warnState("saving an account's quota", e));
        this.localSticky = Caffeine.newBuilder()
                .executor(Caches.SAME_THREAD)
                .ticker(ticker)
                .maximumSize(100_000)
                .expireAfterWrite(
                        LOCAL_STICKY_TTL.compareTo(config.stickyTtl()) < 0 ? LOCAL_STICKY_TTL : config.stickyTtl())
                .build();
        // zero: read every time (Caffeine may serve an entry of a zero-expiry cache until its maintenance runs)
        this.views = viewTtl.isZero()
                ? null
                : Caffeine.newBuilder()
                        .executor(Caches.SAME_THREAD)
                        .ticker(ticker)
                        .maximumSize(1)
                        .expireAfterWrite(viewTtl)
                        .buildAsync((ignored, executor) -> loadView());
    }

    private CompletableFuture<View> loadView() {
        long started = ticker.read();
        Instant now = clock.instant();
        CompletableFuture<Map<String, AccountQuota>> readings = state.quotas()
                .toCompletableFuture()
                .exceptionally(e -> {
                    warnState("reading account quotas", e);
                    return Map.of();
                });
        return state.conditions(now)
                .thenCombine(state.lastUsed(), (c, u) -> new View(c, u, Map.of(), started))
                .toCompletableFuture()
                .exceptionally(e -> {
                    warnState("reading account conditions", e);
                    return new View(Map.of(), Map.of(), Map.of(), started);
                })
                .thenCombine(readings, (v, q) -> {
                    quotas.sharedLoaded(q);
                    return new View(v.conditions, v.lastUsed, q, v.loadedAtNanos);
                });
    }

    /** Drops the cached account list (an account was added or changed elsewhere). */
    public void invalidateAccounts() {
        selector.invalidate();
    }

    /**
     * Drops the cached view of account conditions, so the next request reads them (an account was put out of
     * rotation or resumed elsewhere). What this instance learned itself before stays only until the new view is read.
     */
    public void invalidateConditions() {
        AsyncLoadingCache<Boolean, View> cache = views;
        if (cache != null) {
            cache.synchronous().invalidateAll();
        }
    }

    public SchedulingConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /** Admits {@code demand} under its key's limits and orders the accounts that may serve it. */
    public CompletionStage<Decision> schedule(Demand demand) {
        quotas.flush();
        Instant now = clock.instant();
        ApiKey key = demand.key();
        AdmissionRequest request = new AdmissionRequest(
                key.id(),
                key.rules(),
                demand.requestId(),
                config.leaseTtl(),
                now,
                demand.sessionHash(),
                config.stickyTtl());
        boolean wantsLease = key.rules().maxConcurrency() != null;
        String session = demand.sessionHash();
        String known = session == null ? null : localSticky.getIfPresent(key.id() + "|" + session);
        CompletionStage<AdmissionResult> admission;
        if (known != null && !key.rules().hasSharedLimits()) {
            // nothing to check, and the session's account is known here: no store round trip
            admission = CompletableFuture.completedFuture(new AdmissionResult(Admission.admitted(known), false));
        } else if (request.needsState()) {
            admission = state.admit(request)
                    .thenApply(a -> {
                        if (session != null && a.stickyAccountId() != null) {
                            localSticky.put(key.id() + "|" + session, a.stickyAccountId());
                        }
                        return new AdmissionResult(a, a.admitted() && wantsLease);
                    })
                    .exceptionally(e -> {
                        // Fail open: a store outage must not take the gateway down with it; limits resume with it.
                        failedOpen.incrementAndGet();
                        warnState("admitting a request", e);
                        return new AdmissionResult(Admission.admitted(null), false);
                    });
        } else {
            admission = CompletableFuture.completedFuture(new AdmissionResult(Admission.admitted(null), false));
        }
        CompletionStage<List<Account>> found = selector.candidates(demand.formats(), demand.model());
        return admission.thenCompose(result -> {
            if (!result.admission.admitted()) {
                return CompletableFuture.completedFuture(
                        (Decision) new Refused(result.admission, refusalMessage(result.admission, key.rules(), now)));
            }
            AsyncLoadingCache<Boolean, View> cache = views;
            CompletableFuture<View> view0 = cache == null ? loadView() : cache.get(Boolean.TRUE);
            return found.thenCombine(view0, (accounts, view) -> {
                Decision d = order(demand, accounts, view, result.admission.stickyAccountId(), result.leaseHeld, now);
                if (!(d instanceof Admitted) && result.leaseHeld) {
                    release(key, demand.requestId());
                }
                return d;
            });
        });
    }

    private record AdmissionResult(Admission admission, boolean leaseHeld) {}

    private Decision order(
            Demand demand, List<Account> found, View view, @Nullable String sticky, boolean leaseHeld, Instant now) {
        String model = demand.model();
        if (found.isEmpty()) {
            return new Unavailable(
                    model == null
                            ? "no upstream account serves " + demand.requestKind() + " requests"
                            : "no upstream account serves model " + model + " for " + demand.requestKind()
                                    + " requests",
                    null);
        }
        KeyRules rules = demand.key().rules();
        List<Account> bound = found.stream().filter(a -> boundTo(rules, a)).toList();
        if (bound.isEmpty()) {
            return new Unavailable(
                    "no upstream account serves " + (model == null ? "this request" : "model " + model)
                            + " for this key: it is bound to "
                            + (rules.boundAccount() != null
                                    ? "account " + rules.boundAccount()
                                    : "account group " + rules.boundGroup()),
                    null);
        }
        Map<String, AccountCondition> conditions = conditions(view, now);
        List<Account> usable = new ArrayList<>(bound.size());
        List<String> out = new ArrayList<>();
        Instant retryAt = null;
        boolean allRateLimited = true;
        boolean allBusy = true;
        for (Account a : bound) {
            AccountCondition c = conditions.get(a.id());
            if (c == null) {
                usable.add(a);
                continue;
            }
            allRateLimited &= c.state() == AccountCondition.State.RATE_LIMITED;
            allBusy &=
                    c.state() == AccountCondition.State.RATE_LIMITED || c.state() == AccountCondition.State.OVERLOADED;
            out.add(a.name() + " (" + c.state().wireName() + (c.until() == null ? "" : " until " + c.until()) + ")");
            if (c.until() != null && (retryAt == null || c.until().isBefore(retryAt))) {
                retryAt = c.until();
            }
        }
        if (usable.isEmpty()) {
            return new Unavailable(
                    "every upstream account that serves " + (model == null ? "this request" : "model " + model)
                            + " is out of rotation: " + String.join(", ", out),
                    retryAt,
                    allRateLimited ? ErrorKind.RATE_LIMIT : allBusy ? ErrorKind.OVERLOADED : ErrorKind.UNAVAILABLE);
        }
        List<WireFormat> formats = demand.formats();
        if (usable.size() > 1) {
            Map<String, Integer> steps = new HashMap<>();
            for (Account a : usable) {
                steps.put(a.id(), QuotaBook.steps(quotas.headroom(view.quotas, a.id(), now), HEADROOM_STEP));
            }
            Comparator<Account> ranking = Comparator.comparingInt(Account::priority)
                    .thenComparing(a -> steps.get(a.id()), Comparator.reverseOrder())
                    .thenComparingInt(a -> formats.indexOf(a.kind().format()))
                    .thenComparing(a -> lastUse(view, a.id()))
                    .thenComparing(Account::name);
            usable.sort(ranking);
        }
        if (sticky != null) {
            for (int i = 0; i < usable.size(); i++) {
                if (usable.get(i).id().equals(sticky)) {
                    double left = quotas.headroom(view.quotas, sticky, now);
                    if (left >= STICKY_HEADROOM_FLOOR) {
                        usable.add(0, usable.remove(i));
                    } else {
                        logger.debug(
                                "[{}] session leaves account {}: {}% quota headroom",
                                demand.requestId(), usable.get(i).name(), Math.round(left * 100));
                    }
                    break;
                }
            }
        }
        return new Admitted(List.copyOf(usable), leaseHeld, sticky);
    }

    /** Whether the key's binding (one account, or one account group) admits {@code account}. */
    public static boolean boundTo(KeyRules rules, Account account) {
        if (rules.boundAccount() != null) {
            return rules.boundAccount().equals(account.name());
        }
        if (rules.boundGroup() != null) {
            return rules.boundGroup().equals(account.group());
        }
        return true;
    }

    private Map<String, AccountCondition> conditions(View view, Instant now) {
        if (view.conditions.isEmpty() && localConditions.isEmpty()) {
            return Map.of();
        }
        Map<String, AccountCondition> merged = new HashMap<>(view.conditions);
        localConditions.forEach((id, lc) -> {
            if (lc.setAtNanos - view.loadedAtNanos >= 0) {
                // learned here after the shared view was read: newer than it
                merged.put(id, lc.condition);
            }
        });
        merged.values().removeIf(c -> !c.activeAt(now));
        return merged;
    }

    /** When {@code accountId} was last given a request, by this instance or (as of the view) by any. */
    private Instant lastUse(View view, String accountId) {
        Instant shared = view.lastUsed.get(accountId);
        Instant here = localUsed.get(accountId);
        if (shared == null) {
            return here == null ? Instant.EPOCH : here;
        }
        return here == null || shared.isAfter(here) ? shared : here;
    }

    /** What the client is told when a limit refuses it: which limit, its value, and when it resets. */
    static String refusalMessage(Admission a, KeyRules rules, Instant now) {
        Admission.Limit limit = requireNonNull(a.limit(), "limit");
        String what;
        switch (limit) {
            case REQUESTS:
                what = "request limit of this key reached: " + a.current() + " of " + rules.maxRequests()
                        + " requests per " + io.relaygate.core.Durations.format(requireNonNull(rules.requestWindow()));
                break;
            case TOKENS:
                what = "token limit of this key reached: " + a.current() + " of " + rules.maxTokens() + " tokens per "
                        + io.relaygate.core.Durations.format(requireNonNull(rules.tokenWindow()));
                break;
            case CONCURRENCY:
                what = "concurrency limit of this key reached: " + a.current() + " of " + rules.maxConcurrency()
                        + " requests in flight";
                break;
            case DAILY_COST:
                what = "daily cost limit of this key reached: " + usd(a.current()) + " of "
                        + usd(AdmissionRequest.micros(rules.dailyCostUsd()));
                break;
            case WEEKLY_COST:
                what = "weekly cost limit of this key reached: " + usd(a.current()) + " of "
                        + usd(AdmissionRequest.micros(rules.weeklyCostUsd()));
                break;
            default:
                what = "total cost limit of this key reached: " + usd(a.current()) + " of "
                        + usd(AdmissionRequest.micros(rules.totalCostUsd()));
                break;
        }
        Instant reset = a.resetAt();
        if (reset == null) {
            return what + "; it does not reset";
        }
        return what + "; resets at " + reset + " (in " + io.relaygate.core.Durations.format(secondsUntil(now, reset))
                + ")";
    }

    private static Duration secondsUntil(Instant now, Instant reset) {
        long ms = Math.max(0, reset.toEpochMilli() - now.toEpochMilli());
        return Duration.ofSeconds((ms + 999) / 1000);
    }

    private static String usd(long micros) {
        return String.format(java.util.Locale.ROOT, "$%.2f", micros / 1e6);
    }

    /** Seconds until {@code a} resets, at least 1, for a Retry-After header; null when it never does. */
    public @Nullable Long retryAfterSeconds(Admission a) {
        Instant reset = a.resetAt();
        return reset == null
                ? null
                : Math.max(1, secondsUntil(clock.instant(), reset).toSeconds());
    }

    /** Seconds until {@code at}, at least 1, for a Retry-After header. */
    public long secondsUntil(Instant at) {
        return Math.max(1, secondsUntil(clock.instant(), at).toSeconds());
    }

    // ---- feedback from the relay ----

    /**
     * {@code account} is being given a request now (least-recently-used order). Counts here at once; reaches the store
     * at most every {@link #USED_PUSH_INTERVAL} per account, which is plenty for other instances that reread it once
     * per {@link #VIEW_TTL}.
     */
    public void tried(Account account) {
        Instant now = clock.instant();
        localUsed.put(account.id(), now);
        long t = ticker.read();
        Long pushed = usedPushedAt.get(account.id());
        if (pushed != null && t - pushed < USED_PUSH_INTERVAL.toNanos()) {
            return;
        }
        usedPushedAt.put(account.id(), t);
        state.markUsed(account.id(), now).exceptionally(e -> {
            warnState("recording an account's last use", e);
            return null;
        });
    }

    /**
     * What {@code account}'s upstream just said about its rate limits (any answer, success or error); null when the
     * answer carried no rate-limit headers. Counts here at once; reaches the store at most every
     * {@link #QUOTA_PUSH_INTERVAL} per account, and the other instances with their next view.
     */
    /** Whether to read {@code account}'s rate-limit headers from the answer arriving now (sampled, see QuotaBook). */
    public boolean quotaSampleDue(Account account) {
        return quotas.sampleDue(account.id());
    }

    public void observeQuota(Account account, @Nullable AccountQuota quota) {
        if (quota != null) {
            quotas.observe(account.id(), quota);
        }
    }

    /** {@code account} answered the request: the session sticks to it (when it was not its sticky account already). */
    public void served(Account account, Demand demand, @Nullable String stickyAccountId) {
        String session = demand.sessionHash();
        if (session == null || account.id().equals(stickyAccountId)) {
            return;
        }
        localSticky.put(demand.key().id() + "|" + session, account.id());
        state.stick(demand.key().id(), session, account.id(), clock.instant(), config.stickyTtl())
                .exceptionally(e -> {
                    warnState("sticking a session", e);
                    return null;
                });
    }

    /**
     * Takes {@code account} out of rotation, on every instance sharing the store (here at once, elsewhere within
     * {@link #VIEW_TTL}).
     *
     * @param until when it comes back by itself; null: only when an operator re-enables it
     */
    public void putOutOfRotation(Account account, AccountCondition.State what, String reason, @Nullable Instant until) {
        AccountCondition c = new AccountCondition(what, reason, clock.instant(), until);
        localConditions.put(account.id(), new LocalCondition(c, ticker.read()));
        logger.warn(
                "account {} is out of rotation: {}{} ({})",
                account.name(),
                what.wireName(),
                until == null ? "" : " until " + until,
                reason);
        state.setCondition(account.id(), c).exceptionally(e -> {
            warnState("saving an account condition", e);
            return null;
        });
    }

    /**
     * Applies {@code failure}'s {@linkplain UpstreamFailure#coolDown() cool-down} to {@code account}: the one place
     * where a failed call turns into a condition, with the durations from {@link SchedulingConfig}.
     *
     * @param reason what the upstream said, already free of secrets
     * @param announcedReset when a 429's headers said the limit resets, or null
     */
    public void coolDown(Account account, UpstreamFailure failure, String reason, @Nullable Instant announcedReset) {
        Instant now = clock.instant();
        switch (failure.coolDown()) {
            case RATE_LIMITED ->
                putOutOfRotation(
                        account,
                        AccountCondition.State.RATE_LIMITED,
                        reason,
                        announcedReset != null ? announcedReset : now.plus(config.rateLimitCoolDown()));
            case OVERLOADED ->
                putOutOfRotation(
                        account, AccountCondition.State.OVERLOADED, reason, now.plus(config.overloadCoolDown()));
            case UNAUTHORIZED -> putOutOfRotation(account, AccountCondition.State.UNAUTHORIZED, reason, null);
            case UNREACHABLE ->
                putOutOfRotation(
                        account, AccountCondition.State.UNREACHABLE, reason, now.plus(config.overloadCoolDown()));
            case NONE -> {
                // a failure of this request alone: the account stays in rotation
            }
        }
    }

    /** Extends the request's lease by another {@link SchedulingConfig#leaseTtl()}. */
    public void renew(ApiKey key, String leaseId) {
        state.renew(key.id(), leaseId, clock.instant().plus(config.leaseTtl())).exceptionally(e -> {
            warnState("renewing a lease", e);
            return null;
        });
    }

    /** Gives the request's lease back. */
    public void release(ApiKey key, String leaseId) {
        state.release(key.id(), leaseId).exceptionally(e -> {
            // the lease expires by itself after leaseTtl
            warnState("releasing a lease", e);
            return null;
        });
    }

    /** Logs store trouble once per kind and ten seconds, with a count, so an outage does not flood the log. */
    private void warnState(String what, Throwable e) {
        warnings.warn(
                what,
                "shared state unavailable while " + what + " (limits are not enforced until it is back): "
                        + io.relaygate.core.Secrets.redact(String.valueOf(e)));
    }

    /**
     * Requests admitted without their key's limits and lease because the shared state was away (fail open): a store
     * outage must not take the gateway down with it.
     */
    public long admittedWithoutLimits() {
        return failedOpen.get();
    }

    // ---- for metrics ----

    /**
     * Every schedulable account with its condition and quota headroom as this instance sees them (its shared view,
     * reused for {@link #VIEW_TTL}, plus what it learned since). For the metrics scrape, never on a request's path.
     */
    public CompletionStage<List<AccountStatus>> accountStatuses() {
        AsyncLoadingCache<Boolean, View> cache = views;
        CompletableFuture<View> view0 = cache == null ? loadView() : cache.get(Boolean.TRUE);
        return selector.candidates(List.of(WireFormat.values()), null).thenCombine(view0, (accounts, view) -> {
            Instant now = clock.instant();
            Map<String, AccountCondition> conditions = conditions(view, now);
            List<AccountStatus> statuses = new ArrayList<>(accounts.size());
            for (Account a : accounts) {
                AccountCondition c = conditions.get(a.id());
                AccountQuota q = quotas.quota(view.quotas, a.id());
                Map<AccountQuota.Window, Double> headroom = new java.util.EnumMap<>(AccountQuota.Window.class);
                if (q != null) {
                    q.liveWindows(now).forEach((w, use) -> headroom.put(w, 1 - use.used()));
                }
                statuses.add(new AccountStatus(a, c == null ? null : c.state(), headroom));
            }
            return statuses;
        });
    }
}
