package io.relaygate.accounts.state;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The runtime state that gateway instances on the same backend share. Every call is asynchronous and never blocks the
 * caller; results may complete on a backend thread. Time is passed in, never read here.
 *
 * <p>Hot path: {@link #admit} is the one call made before the upstream request (one Lua script on Redis); usage,
 * lease release and last-used times are written after it.
 */
public interface SharedState extends AutoCloseable {

    /**
     * Checks the key's cost limits, token window and request window and takes a concurrency lease, all or nothing,
     * and reads (and renews) the session's sticky account in the same round trip. An admitted request counts against
     * the request window.
     */
    CompletionStage<Admission> admit(AdmissionRequest request);

    /** Extends a lease to {@code until} (long streams renew before it expires); a released lease stays released. */
    CompletionStage<Void> renew(String keyId, String leaseId, Instant until);

    /** Gives a lease back. */
    CompletionStage<Void> release(String keyId, String leaseId);

    /**
     * Gives every lease of the key back (an operator's {@code relaygate keys release}: the instance that held them is
     * gone, or stuck); completes with how many leases were held, expired ones included.
     */
    CompletionStage<Long> releaseAll(String keyId);

    /** Sticks the key's session to {@code accountId} until {@code now + ttl} (admissions renew it on use). */
    CompletionStage<Void> stick(String keyId, String sessionHash, String accountId, Instant now, Duration ttl);

    /** Puts an account out of rotation (replacing an earlier condition). */
    CompletionStage<Void> setCondition(String accountId, AccountCondition condition);

    /** Puts an account back into rotation. */
    CompletionStage<Void> clearCondition(String accountId);

    /**
     * The conditions in effect at {@code now}, by account id: those still out of rotation and those
     * {@linkplain AccountCondition#awaitsTrialAt awaiting a trial} (other expired ones are left out).
     */
    CompletionStage<Map<String, AccountCondition>> conditions(Instant now);

    /**
     * Claims the one trial request of an account whose fault cool-down is over (half-open), for every instance on this
     * state at once: at most one claim holds at a time, for {@code ttl} at most (a trial whose request vanished
     * without an answer frees the account again then).
     *
     * @param claimId who holds the claim (the request id), for {@link #releaseTrial}
     */
    CompletionStage<TrialClaim> claimTrial(String accountId, String claimId, Instant now, Duration ttl);

    /**
     * Gives back a claim taken by {@link #claimTrial} (a claim held by someone else is left alone). Called after the
     * trial's verdict was written ({@link #clearCondition} or a new {@link #setCondition}), so nobody can claim the
     * same half-open period twice.
     */
    CompletionStage<Void> releaseTrial(String accountId, String claimId);

    /** Records that {@code accountId} was given a request at {@code at} (least-recently-used order). */
    CompletionStage<Void> markUsed(String accountId, Instant at);

    /** When each account was last given a request, by account id. */
    CompletionStage<Map<String, Instant>> lastUsed();

    /**
     * Keeps what the upstream last said about an account's rate limits (replacing the earlier reading); readable by
     * every instance through {@link #quotas()}.
     */
    CompletionStage<Void> setQuota(String accountId, AccountQuota quota);

    /** The last rate-limit reading of each account, by account id (readings past their resets included). */
    CompletionStage<Map<String, AccountQuota>> quotas();

    /** Adds one request's usage to every counter it belongs to. */
    default CompletionStage<Void> record(UsageRecord record) {
        return record(record, java.util.EnumSet.allOf(UsageScope.class));
    }

    /**
     * Adds one request's usage to the counters of {@code scopes} only (the key's token window goes with
     * {@link UsageScope#KEY}), so a caller can write the part the next admission reads at once and batch the rest.
     * A {@link UsageRecord#limitsCounted() counted} record leaves what {@link #spend} wrote alone.
     */
    CompletionStage<Void> record(UsageRecord record, java.util.Set<UsageScope> scopes);

    /**
     * Counts one finished request against its key's limits at once, in one write: its cost into the key's day, week
     * and total usage (what cost limits read), its tokens into the key's token window, and gives its
     * {@link UsageRecord#leaseId() lease} back. The rest of its usage follows with {@link #record} of
     * {@link UsageRecord#counted()}, which may wait for a batch.
     */
    CompletionStage<Void> spend(UsageRecord record);

    /**
     * {@link #record(UsageRecord, java.util.Set)} applied at most once for {@code id}: a write this store applied
     * before under the same id changes nothing (the usage journal replays writes after a crash).
     */
    CompletionStage<Void> record(UsageRecord record, java.util.Set<UsageScope> scopes, WriteId id);

    /** {@link #spend(UsageRecord)} applied at most once for {@code id}; the lease is given back either way. */
    CompletionStage<Void> spend(UsageRecord record, WriteId id);

    /**
     * The key's admission windows under {@code rules} as they stand at {@code now} (for the console; never on a
     * request's path). Backends that cannot tell answer {@link KeyWindows#UNKNOWN}.
     */
    default CompletionStage<KeyWindows> windows(String keyId, io.relaygate.core.KeyRules rules, Instant now) {
        return java.util.concurrent.CompletableFuture.completedFuture(KeyWindows.UNKNOWN);
    }

    /** Every id's counters of {@code scope} in the {@code period} bucket holding {@code at}, ids in order. */
    CompletionStage<List<UsageRow>> usage(UsageScope scope, Period period, Instant at);

    /**
     * Writes a batch of (summed) usage records, each as {@link #record(UsageRecord, java.util.Set, WriteId)} (or
     * without an id) would with every scope: one stage per record, in order. Work a store does per batch rather than
     * per record (Redis: the top lists) goes here; this default writes them one by one.
     */
    default List<CompletionStage<Void>> recordAll(List<UsageWrite> batch) {
        List<CompletionStage<Void>> out = new java.util.ArrayList<>(batch.size());
        java.util.Set<UsageScope> all = java.util.EnumSet.allOf(UsageScope.class);
        for (UsageWrite w : batch) {
            WriteId id = w.id();
            out.add(id == null ? record(w.record(), all) : record(w.record(), all, id));
        }
        return out;
    }

    /**
     * {@link #recordAll}, for a batch that may be held back a little (the usage recorder's regular batches): a store
     * that can send it with the next {@link #spend} (Redis of one server: one call for both) parks it for a short
     * bound, then sends it alone if no spend came. The stages complete when it was written, as {@link #recordAll}'s.
     */
    default List<CompletionStage<Void>> recordAllRiding(List<UsageWrite> batch) {
        return recordAll(batch);
    }

    /**
     * The {@code n} ids of {@code scope} with the most cost, then requests, in the {@code period} bucket holding
     * {@code at}, most first (the console's top lists). This default reads every id's counters and sorts them (what
     * the embedded store does, in memory); Redis keeps a ranked set per bucket instead.
     */
    default CompletionStage<List<UsageRow>> top(UsageScope scope, Period period, Instant at, int n) {
        return usage(scope, period, at).thenApply(rows -> rows.stream()
                .sorted(java.util.Comparator.comparingLong(
                                (UsageRow r) -> r.counters().costMicros())
                        .thenComparingLong(r -> r.counters().requests())
                        .reversed())
                .limit(Math.max(0, n))
                .toList());
    }

    /**
     * One id's counters of {@code scope} in the {@code period} buckets holding each of {@code ats}, in that order
     * ({@link UsageCounters#ZERO} where it has none): one key's or account's usage without reading every id's. This
     * default scans {@link #usage} per bucket; the stores read the id's buckets only.
     */
    default CompletionStage<List<UsageCounters>> usageOf(
            UsageScope scope, String id, Period period, List<Instant> ats) {
        List<java.util.concurrent.CompletableFuture<List<UsageRow>>> reads = new java.util.ArrayList<>(ats.size());
        for (Instant at : ats) {
            reads.add(usage(scope, period, at).toCompletableFuture());
        }
        return java.util.concurrent.CompletableFuture.allOf(
                        reads.toArray(java.util.concurrent.CompletableFuture[]::new))
                .thenApply(done -> reads.stream()
                        .map(r -> r.join().stream()
                                .filter(row -> row.id().equals(id))
                                .map(UsageRow::counters)
                                .findFirst()
                                .orElse(UsageCounters.ZERO))
                        .toList());
    }

    /**
     * Requests admitted by an event loop itself without waiting for the store (Redis, a key far from its limits), and
     * of those the ones the store refused when their admission reached it: {@code {admitted, refused}}. This default:
     * none (the embedded store answers at once anyway).
     */
    default long[] admittedWithoutWaiting() {
        return new long[2];
    }

    @Override
    void close();
}
