package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.core.Account;
import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Half-open recovery: an account that went out for a fault (overloaded, unreachable) is not trusted again when its
 * cool-down ends; the first request that may use it claims its one trial in the shared state (one claim across every
 * instance), goes to it first and fails over to the other candidates as usual if it fails. The verdict is the trial's
 * answer: a success (or a 4xx about the request itself: the upstream is up) puts the account back into rotation,
 * another failure takes it out again for twice its last cool-down (at most {@link #MAX_COOL_DOWN_FACTOR} times the
 * configured one).
 *
 * <p>Store cost: one {@link SharedState#claimTrial} while an account is half-open, and when another request holds its
 * trial at most one more per {@link #RECHECK} per instance; nothing at all while no account is half-open.
 */
final class Trials {

    /** How long a claimed trial may take before the account can be claimed again (its request vanished). */
    static final Duration CLAIM_TTL = Duration.ofMinutes(2);

    /** After a claim was refused (another request holds it), how long this instance passes the account over. */
    static final Duration RECHECK = Duration.ofSeconds(1);

    /** Failed trials double the cool-down, up to this many times the configured overload cool-down. */
    static final int MAX_COOL_DOWN_FACTOR = 16;

    /** What one request gets: the account it trials, or an account found recovered, or neither. */
    record Pick(@Nullable String trialAccountId, @Nullable String recoveredAccountId) {
        static final Pick NONE = new Pick(null, null);
    }

    /** A trial this instance holds: which request, and the condition it was claimed on. */
    record Held(String requestId, AccountCondition condition) {}

    private static final CompletableFuture<Pick> NONE = CompletableFuture.completedFuture(Pick.NONE);

    private final SharedState state;
    private final Ticker ticker;
    private final StoreBudget budget;
    private final BiConsumer<String, Throwable> storeTrouble;
    private final Cache<String, Held> held;
    private final Map<String, Long> passUntilNanos = new ConcurrentHashMap<>();

    /** @param budget how long a claim waits for the store before the request goes on without a trial */
    Trials(SharedState state, Ticker ticker, BiConsumer<String, Throwable> storeTrouble, StoreBudget budget) {
        this.budget = requireNonNull(budget, "budget");
        this.state = requireNonNull(state, "state");
        this.ticker = requireNonNull(ticker, "ticker");
        this.storeTrouble = requireNonNull(storeTrouble, "storeTrouble");
        this.held = Caffeine.newBuilder()
                .executor(Caches.SAME_THREAD)
                .ticker(ticker)
                .expireAfterWrite(CLAIM_TTL)
                .build();
    }

    /**
     * Claims the trial of the best half-open account among {@code accounts} (lowest priority number) for request
     * {@code requestId}; completes at once with {@link Pick#NONE} when none is half-open.
     */
    CompletionStage<Pick> claim(
            List<Account> accounts,
            KeyRules rules,
            Map<String, AccountCondition> conditions,
            String requestId,
            Instant now) {
        if (conditions.isEmpty()) {
            return NONE;
        }
        Account best = null;
        AccountCondition bestCondition = null;
        long t = ticker.read();
        for (Account a : accounts) {
            AccountCondition c = conditions.get(a.id());
            if (c == null || !c.awaitsTrialAt(now) || !Scheduler.boundTo(rules, a)) {
                continue;
            }
            Long pass = passUntilNanos.get(a.id());
            if (pass != null && pass - t > 0) {
                continue;
            }
            if (best == null || a.priority() < best.priority()) {
                best = a;
                bestCondition = c;
            }
        }
        if (best == null) {
            return NONE;
        }
        String id = best.id();
        AccountCondition claimedOn = requireNonNull(bestCondition, "bestCondition");
        // A claim answered past the budget stays held until CLAIM_TTL, with no request trying the account: its trial
        // is then only later, never twice.
        return budget.within(state.claimTrial(id, requestId, now, CLAIM_TTL), "claiming a trial")
                .handle((r, e) -> {
                    if (e != null) {
                        storeTrouble.accept("claiming an account's trial request", e);
                        passUntilNanos.put(id, ticker.read() + RECHECK.toNanos());
                        return Pick.NONE;
                    }
                    switch (r) {
                        case CLAIMED -> {
                            held.put(id, new Held(requestId, claimedOn));
                            return new Pick(id, null);
                        }
                        case RECOVERED -> {
                            return new Pick(null, id);
                        }
                        default -> {
                            passUntilNanos.put(id, ticker.read() + RECHECK.toNanos());
                            return Pick.NONE;
                        }
                    }
                });
    }

    /** The trial {@code requestId} holds on {@code accountId}, taken out (the verdict follows); null when none. */
    @Nullable
    Held end(String accountId, String requestId) {
        Held h = held.getIfPresent(accountId);
        if (h == null || !h.requestId.equals(requestId)) {
            return null;
        }
        held.invalidate(accountId);
        return h;
    }

    /** Gives the claim back once {@code verdict} (the condition written for the trial's outcome) completed. */
    void release(String accountId, String requestId, CompletionStage<?> verdict) {
        passUntilNanos.remove(accountId);
        verdict.handle((v, e) -> null)
                .thenCompose(ignored -> state.releaseTrial(accountId, requestId))
                .exceptionally(e -> {
                    // the claim expires by itself after CLAIM_TTL
                    storeTrouble.accept("releasing an account's trial", e);
                    return null;
                });
    }

    /** The cool-down after a failed trial: twice the last one, within the configured one and its maximum factor. */
    static Duration nextCoolDown(AccountCondition last, Duration configured) {
        Instant until = last.until();
        Duration previous = until == null ? configured : Duration.between(last.since(), until);
        Duration doubled = previous.multipliedBy(2);
        Duration max = configured.multipliedBy(MAX_COOL_DOWN_FACTOR);
        if (doubled.compareTo(configured) < 0) {
            return configured;
        }
        return doubled.compareTo(max) > 0 ? max : doubled;
    }
}
