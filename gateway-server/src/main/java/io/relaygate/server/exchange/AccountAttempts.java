package io.relaygate.server.exchange;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import io.relaygate.accounts.Scheduler;
import io.relaygate.core.Account;
import io.relaygate.core.Secrets;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.Usage;
import io.relaygate.server.upstream.OAuthRefresher;
import io.relaygate.server.upstream.QuotaHeaders;
import io.relaygate.server.upstream.RateLimitReset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The accounts one admitted request may try, in the scheduler's order, and everything the scheduler is told about
 * them: which one was tried, which one served, which one must cool down and why. Owns the failover rules (a retryable
 * failure before the first byte moves on, each account at most once, up to {@code upstream.maxAttempts}) and the
 * subscription-token rules (refresh a due token first; refresh once more and retry the same account when the upstream
 * refuses it with 401; retry once on a fresh connection when a pooled one was closed under us).
 *
 * <p>Confined to the client channel's event loop.
 */
public final class AccountAttempts {

    private final Scheduler scheduler;
    private final OAuthRefresher refresher;
    private final Scheduler.Demand demand;
    private final @Nullable String stickyAccountId;
    private final int maxAttempts;
    /** Told of every attempt and failure (metrics); the scheduler is told separately, by the methods below. */
    private final ExchangeListener listener;

    private List<Account> candidates;
    /** The accounts the scheduler passed over, and why, for the request's record. */
    private final java.util.Map<String, String> skipped;
    /** Every attempt so far, in order, for the request's record. */
    private final List<Tried> log = new ArrayList<>(2);

    private int attempt;
    private boolean refreshedAfter401;
    private boolean retriedStale;

    AccountAttempts(
            Scheduler scheduler,
            OAuthRefresher refresher,
            Scheduler.Demand demand,
            Scheduler.Admitted admitted,
            int maxAttempts,
            ExchangeListener listener) {
        this.listener = requireNonNull(listener, "listener");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.refresher = requireNonNull(refresher, "refresher");
        this.demand = requireNonNull(demand, "demand");
        this.candidates = List.copyOf(admitted.accounts());
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("admitted.accounts: [] (expected: at least one account)");
        }
        this.stickyAccountId = admitted.stickyAccountId();
        this.skipped = admitted.skipped();
        this.maxAttempts = maxAttempts;
    }

    /** The account being tried. */
    public Account current() {
        return candidates.get(attempt);
    }

    @Nullable
    Account currentOrNull() {
        return candidates.get(attempt);
    }

    /** How many accounts were tried so far, this one included. */
    int tried() {
        return attempt + 1;
    }

    /** Whether the current account's subscription token must be refreshed before it is used. */
    public boolean refreshDue() {
        return refresher.due(current());
    }

    /**
     * Refreshes the current account's access token (here or on another gateway instance) and completes with the
     * account holding it; {@link #refreshed} must then be called on the event loop.
     *
     * @param force refresh even when the token is not due (the upstream refused it)
     */
    public CompletionStage<Account> refresh(boolean force) {
        return refresher.fresh(current(), force);
    }

    /**
     * Takes the refreshed account in place of the current one; returns whether its token is still due at once (the
     * endpoint gave a short-lived token: use it rather than refresh in a loop).
     */
    public boolean refreshed(Account fresh, boolean forced) {
        if (current() != fresh) {
            List<Account> copy = new ArrayList<>(candidates);
            copy.set(attempt, fresh);
            candidates = copy;
        }
        return !forced && refresher.due(fresh);
    }

    /**
     * Whether a 401 from the current account should be answered by refreshing its token and trying it again: once per
     * exchange, for subscription accounts only.
     */
    public boolean refreshAfterRefusal(int status) {
        if (status != 401 || refreshedAfter401 || !refresher.canRefresh(current())) {
            return false;
        }
        refreshedAfter401 = true;
        return true;
    }

    /** Whether a pooled connection closed before the answer may be retried once on a fresh one. */
    public boolean retryStaleConnection(boolean reusedConnection) {
        if (!reusedConnection || retriedStale) {
            return false;
        }
        noteError("stale_connection");
        retriedStale = true;
        return true;
    }

    /** The scheduler learns that the current account is being tried (least-recently-used order). */
    public void connecting() {
        Account a = current();
        long now = System.nanoTime();
        if (!log.isEmpty()) {
            log.get(log.size() - 1).end(now);
        }
        log.add(new Tried(a, now));
        scheduler.tried(a);
        listener.onAttempt(a);
    }

    /** The current account answered with a success: sticky session and last-used time. */
    public void served() {
        scheduler.served(current(), demand, stickyAccountId);
    }

    /** Reads the upstream's quota headers now and then (rate-limited sampling lives in the scheduler). */
    public void observeQuota(HttpHeaders headers) {
        Account a = current();
        if (scheduler.quotaSampleDue(a)) {
            scheduler.observeQuota(
                    a, QuotaHeaders.parse(headers, scheduler.clock().instant()));
        }
    }

    /**
     * Reports {@code failure} of the current account to the scheduler (which applies its cool-down, if it has one) and
     * moves on to the next candidate when the failure allows failover and one is left.
     *
     * @param headers the upstream's answer headers (for a 429's announced reset), or null when it did not answer
     * @return true when there is a next account to try (now current)
     */
    public boolean failed(UpstreamFailure failure, String reason, @Nullable HttpHeaders headers) {
        String shortReason = reason.length() > 300 ? reason.substring(0, 300) + "…" : reason;
        Account failedAccount = current();
        scheduler.failed(
                failedAccount,
                demand,
                failure,
                Secrets.redact(shortReason),
                headers == null
                        ? null
                        : RateLimitReset.of(headers, scheduler.clock().instant()));
        noteError(failure.name().toLowerCase(Locale.ROOT));
        boolean next = failure.retryable() && moveOn();
        if (failure != UpstreamFailure.GATEWAY_STOPPING) {
            // our own process failing is not the account's error (issue 15, item 5)
            listener.onUpstreamFailure(failedAccount, failure, next);
        }
        return next;
    }

    /** The current attempt's upstream answered with {@code status}. */
    void answered(int status) {
        if (!log.isEmpty()) {
            log.get(log.size() - 1).status = status;
        }
    }

    /** Names what went wrong with the current attempt, for the request's record. */
    public void noteError(String error) {
        if (!log.isEmpty()) {
            Tried t = log.get(log.size() - 1);
            if (t.error == null) {
                t.error = error;
            }
        }
    }

    /** The accounts the scheduler passed over, by name, and why. */
    java.util.Map<String, String> skipped() {
        return skipped;
    }

    /** The candidates the scheduler offered, in its order, by name. */
    List<String> candidateNames() {
        List<String> names = new ArrayList<>(candidates.size());
        for (Account a : candidates) {
            names.add(a.name());
        }
        return names;
    }

    /**
     * The attempts as the request's record shows them; the last one (which served, or failed last) carries the
     * answer's {@code usage} and, when it has none of its own, the exchange's {@code error}.
     */
    List<ExchangeOutcome.Attempt> log(Usage usage, @Nullable String error) {
        List<ExchangeOutcome.Attempt> out = new ArrayList<>(log.size());
        long now = System.nanoTime();
        for (int i = 0; i < log.size(); i++) {
            Tried t = log.get(i);
            boolean last = i == log.size() - 1;
            long end = t.endNanos < 0 ? now : t.endNanos;
            out.add(new ExchangeOutcome.Attempt(
                    t.account.id(),
                    t.account.name(),
                    t.status,
                    TimeUnit.NANOSECONDS.toMillis(end - t.startNanos),
                    last ? usage : Usage.ZERO,
                    t.error != null ? t.error : last ? error : null));
        }
        return out;
    }

    /** One attempt in the making. */
    private static final class Tried {
        final Account account;
        final long startNanos;
        long endNanos = -1;
        int status;

        @Nullable
        String error;

        Tried(Account account, long startNanos) {
            this.account = account;
            this.startNanos = startNanos;
        }

        void end(long nanos) {
            if (endNanos < 0) {
                endNanos = nanos;
            }
        }
    }

    /**
     * Reports {@code failure} of the current account after its answer had started (a stream exception such as
     * Bedrock's throttling): the scheduler applies its cool-down; no other account is tried.
     */
    public void failedMidStream(UpstreamFailure failure, String reason) {
        String shortReason = reason.length() > 300 ? reason.substring(0, 300) + "…" : reason;
        Account a = current();
        scheduler.failed(a, demand, failure, Secrets.redact(shortReason), null);
        noteError(failure.name().toLowerCase(Locale.ROOT));
        listener.onUpstreamFailure(a, failure, false);
    }

    /** Moves on to the next candidate without reporting anything; false when none is left. */
    public boolean moveOn() {
        if (attempt + 1 < candidates.size() && attempt + 1 < maxAttempts) {
            attempt++;
            return true;
        }
        return false;
    }
}
