package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.Admission;
import io.relaygate.accounts.state.AdmissionRequest;
import io.relaygate.accounts.state.CostSpend;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.core.Account;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.KeyRules;
import io.relaygate.core.RepeatedWarnings;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.WireFormat;
import io.relaygate.core.config.SchedulingConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * credentials). An account that went out for a fault (overloaded, unreachable) is half-open when its cool-down ends:
 * one request across all instances claims its trial and tries it first ({@link Trials}). Order: the session's sticky account when it is a candidate and has at least
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
 *
 * <p>The parts: admission and the round trip here, the candidates' order in {@link CandidateOrder}, what this instance
 * knows of the accounts' state in {@link AccountView}, the feedback on conditions in {@link Rotation} and half-open
 * trials in {@link Trials}.
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
     * @param skipped the accounts passed over, by name, and why (for the request's record)
     * @param spend what the key had spent against its cost limits, as its admission read it ({@link CostSpend#NONE}
     *     for a key without cost limits, or when the store could not be read)
     */
    public record Admitted(
            List<Account> accounts,
            boolean leaseHeld,
            @Nullable String stickyAccountId,
            Map<String, String> skipped,
            CostSpend spend)
            implements Decision {

        public Admitted {
            requireNonNull(spend, "spend");
        }

        Admitted withSpend(CostSpend s) {
            return new Admitted(accounts, leaseHeld, stickyAccountId, skipped, s);
        }
    }

    /** A key limit refused the request (a 429 for the client). */
    public record Refused(Admission admission, String message) implements Decision {}

    /**
     * No account can take it; {@code retryAt} when the first one comes back by itself. {@code kind} is what the client
     * is told: a 429 when every account is rate limited, a 529 (overloaded) when they are rate limited or overloaded,
     * else a 503.
     */
    public record Unavailable(String message, @Nullable Instant retryAt, ErrorKind kind, Map<String, String> skipped)
            implements Decision {

        public Unavailable(String message, @Nullable Instant retryAt, ErrorKind kind) {
            this(message, retryAt, kind, Map.of());
        }

        public Unavailable(String message, @Nullable Instant retryAt) {
            this(message, retryAt, ErrorKind.UNAVAILABLE);
        }
    }

    private final AccountSelector selector;
    private final SharedState state;
    private final SchedulingConfig config;
    private final Clock clock;
    private final Ticker ticker;
    private final AccountView view;
    private final Trials trials;
    private final CandidateOrder order;
    private final Rotation rotation;
    private final RepeatedWarnings warnings;
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
    private final StoreBudget admissionBudget;

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
        this.warnings = new RepeatedWarnings(logger, RepeatedWarnings.DEFAULT_INTERVAL, ticker::read);
        this.quotas = new QuotaBook(state, ticker, QUOTA_PUSH_INTERVAL, e -> warnState("saving an account's quota", e));
        this.localSticky = Caffeine.newBuilder()
                .executor(Caches.SAME_THREAD)
                .ticker(ticker)
                .maximumSize(100_000)
                .expireAfterWrite(
                        LOCAL_STICKY_TTL.compareTo(config.stickyTtl()) < 0 ? LOCAL_STICKY_TTL : config.stickyTtl())
                .build();
        StoreBudget budget = new StoreBudget(config.storeBudget());
        this.admissionBudget = budget;
        this.view = new AccountView(state, clock, ticker, quotas, viewTtl, this::warnState, budget);
        this.trials = new Trials(state, ticker, this::warnState, budget);
        this.order = new CandidateOrder(view, quotas);
        this.rotation = new Rotation(state, view, trials, config, clock, this::warnState);
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
        view.invalidate();
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
        boolean wantsLease = key.rules().maxConcurrency() != null;
        String session = demand.sessionHash();
        String known = session == null ? null : localSticky.getIfPresent(key.id() + "|" + session);
        AdmissionRequest request = new AdmissionRequest(
                key.id(), key.rules(), demand.requestId(), config.leaseTtl(), now, session, config.stickyTtl(), known);
        CompletionStage<AdmissionResult> admission;
        if (known != null && !key.rules().hasSharedLimits()) {
            // nothing to check, and the session's account is known here: no store round trip
            admission = CompletableFuture.completedFuture(new AdmissionResult(Admission.admitted(known), false));
        } else if (request.needsState()) {
            // Past the budget the request goes on as in an outage; a lease the admission took late is given back.
            admission = admissionBudget
                    .within(state.admit(request), "admitting a request", late -> {
                        if (late.admitted() && wantsLease) {
                            release(key, demand.requestId());
                        }
                    })
                    .thenApply(a -> {
                        // the same account as known is not written again: a store that admitted the request without
                        // a round trip answers with what it was told, and the entry must still age out after 30 s
                        if (session != null
                                && a.stickyAccountId() != null
                                && !a.stickyAccountId().equals(known)) {
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
        CompletionStage<AccountSelector.Choice> found = selector.choose(demand.formats(), demand.model());
        return admission.thenCompose(result -> {
            if (!result.admission.admitted()) {
                return CompletableFuture.completedFuture((Decision)
                        new Refused(result.admission, RefusalMessages.of(result.admission, key.rules(), now)));
            }
            return found.thenCombine(view.current(), (c, v) -> new Found(c.accounts(), c.skipped(), v))
                    .thenCompose(f -> {
                        Map<String, AccountCondition> conditions = view.conditions(f.view, now);
                        return trials.claim(f.accounts, key.rules(), conditions, demand.requestId(), now)
                                .thenApply(pick -> {
                                    Decision d = order.decide(
                                            demand,
                                            f.accounts,
                                            f.skipped,
                                            f.view,
                                            conditions,
                                            pick,
                                            result.admission.stickyAccountId(),
                                            result.leaseHeld,
                                            now);
                                    if (!(d instanceof Admitted) && result.leaseHeld) {
                                        release(key, demand.requestId());
                                    }
                                    CostSpend spend = result.admission.spend();
                                    return d instanceof Admitted && spend.known() ? ((Admitted) d).withSpend(spend) : d;
                                });
                    });
        });
    }

    private record Found(List<Account> accounts, Map<String, String> skipped, AccountView.Snapshot view) {}

    private record AdmissionResult(Admission admission, boolean leaseHeld) {}

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

    /** Seconds until {@code a} resets, at least 1, for a Retry-After header; null when it never does. */
    public @Nullable Long retryAfterSeconds(Admission a) {
        Instant reset = a.resetAt();
        return reset == null
                ? null
                : Math.max(
                        1, RefusalMessages.secondsUntil(clock.instant(), reset).toSeconds());
    }

    /** Seconds until {@code at}, at least 1, for a Retry-After header. */
    public long secondsUntil(Instant at) {
        return Math.max(1, RefusalMessages.secondsUntil(clock.instant(), at).toSeconds());
    }

    // ---- feedback from the relay ----

    /**
     * {@code account} is being given a request now (least-recently-used order). Counts here at once; reaches the store
     * at most every {@link #USED_PUSH_INTERVAL} per account, which is plenty for other instances that reread it once
     * per {@link #VIEW_TTL}.
     */
    public void tried(Account account) {
        Instant now = clock.instant();
        view.used(account.id(), now);
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

    /** Whether to read {@code account}'s rate-limit headers from the answer arriving now (sampled, see QuotaBook). */
    public boolean quotaSampleDue(Account account) {
        return quotas.sampleDue(account.id());
    }

    /**
     * What {@code account}'s upstream just said about its rate limits (any answer, success or error); null when the
     * answer carried no rate-limit headers. Counts here at once; reaches the store at most every
     * {@link #QUOTA_PUSH_INTERVAL} per account, and the other instances with their next view.
     */
    public void observeQuota(Account account, @Nullable AccountQuota quota) {
        if (quota != null) {
            quotas.observe(account.id(), quota);
        }
    }

    /**
     * {@code account} answered the request: the session sticks to it (when it was not its sticky account already),
     * and an account on trial is back in rotation.
     */
    public void served(Account account, Demand demand, @Nullable String stickyAccountId) {
        rotation.served(account, demand.requestId());
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
     * {@code account} failed {@code demand}'s call with {@code failure}: its cool-down as {@link #coolDown} says, or,
     * when the call was the account's trial request, the trial's verdict (see {@link Trials}).
     *
     * @param reason what the upstream said, already free of secrets
     * @param announcedReset when a 429's headers said the limit resets, or null
     */
    public void failed(
            Account account, Demand demand, UpstreamFailure failure, String reason, @Nullable Instant announcedReset) {
        rotation.failed(account, demand.requestId(), failure, reason, announcedReset);
    }

    /**
     * Takes {@code account} out of rotation, on every instance sharing the store (here at once, elsewhere within
     * {@link #VIEW_TTL}).
     *
     * @param until when it comes back by itself; null: only when an operator re-enables it
     */
    public void putOutOfRotation(Account account, AccountCondition.State what, String reason, @Nullable Instant until) {
        rotation.outOfRotation(account, what, reason, until);
    }

    /**
     * Applies {@code failure}'s {@linkplain UpstreamFailure#coolDown() cool-down} to {@code account}: the one place
     * where a failed call turns into a condition, with the durations from {@link SchedulingConfig}. Completes when the
     * condition is written.
     *
     * @param reason what the upstream said, already free of secrets
     * @param announcedReset when a 429's headers said the limit resets, or null
     */
    public CompletionStage<Void> coolDown(
            Account account, UpstreamFailure failure, String reason, @Nullable Instant announcedReset) {
        return rotation.coolDown(account, failure, reason, announcedReset);
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

    /** {@link SharedState#admittedWithoutWaiting()}: requests admitted without waiting for the store, and late refusals. */
    public long[] admittedWithoutWaiting() {
        return state.admittedWithoutWaiting();
    }

    // ---- for metrics ----

    /**
     * Every schedulable account with its condition and quota headroom as this instance sees them (its shared view,
     * reused for {@link #VIEW_TTL}, plus what it learned since). For the metrics scrape, never on a request's path.
     */
    public CompletionStage<List<AccountStatus>> accountStatuses() {
        return selector.candidates(List.of(WireFormat.values()), null).thenCombine(view.current(), (accounts, v) -> {
            Instant now = clock.instant();
            Map<String, AccountCondition> conditions = view.conditions(v, now);
            List<AccountStatus> statuses = new ArrayList<>(accounts.size());
            for (Account a : accounts) {
                AccountCondition c = conditions.get(a.id());
                AccountQuota q = quotas.quota(v.quotas(), a.id());
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
