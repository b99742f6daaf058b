package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * The in-process backend: the same semantics as Redis on one node. Event loops call it on every request, so nothing
 * here is one global lock: a key's leases and windows are guarded by that key's own lock (an admission is atomic per
 * key, as the Lua script is), usage counters are atomic arrays in a concurrent map, account conditions and last-used
 * times are concurrent maps.
 *
 * <p>Usage counters, conditions, last-used times and quota readings are reported to a {@link Persistence} after changes, so the
 * embedded store keeps them across restarts; leases, windows and sticky sessions are runtime only.
 */
public final class LocalSharedState implements SharedState {

    /** Told when the durable part changed; it takes a {@link #snapshot()} when it saves. */
    public interface Persistence {
        void changed();

        Persistence NONE = () -> {};
    }

    /**
     * The durable part of the state.
     *
     * @param usage counters by {@code scope|id|period|bucket}
     * @param conditions account conditions by account id
     * @param lastUsed last-used times by account id
     * @param quotas the upstreams' last rate-limit readings by account id
     * @param applied per usage journal writer: its low mark, then the sequence numbers from it on that were applied
     *     ({@link WriteId}); saved with the counters they guard, so a replay after a crash neither loses nor repeats
     */
    public record Snapshot(
            Map<String, UsageCounters> usage,
            Map<String, AccountCondition> conditions,
            Map<String, Instant> lastUsed,
            Map<String, AccountQuota> quotas,
            Map<String, List<Long>> applied) {

        public static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

        public Snapshot {
            usage = Map.copyOf(usage);
            conditions = Map.copyOf(conditions);
            lastUsed = Map.copyOf(lastUsed);
            quotas = Map.copyOf(quotas);
            applied = Map.copyOf(applied);
        }
    }

    private static final int FIELDS = UsageCounters.FIELDS.length;
    private static final int COST = 6;
    /** The buckets whose cost the cost limits read. */
    private final ConcurrentHashMap<String, LocalKeyState> keys = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, AtomicLongArray> usage = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AccountCondition> conditions = new ConcurrentHashMap<>();
    private final LocalTrials trials = new LocalTrials(conditions);
    private final ConcurrentHashMap<String, Instant> lastUsed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AccountQuota> quotas = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AppliedWrites> applied = new ConcurrentHashMap<>();
    /**
     * Deduplicated writes hold it shared, {@link #snapshot()} exclusively: a saved state has a write's counters and
     * its applied mark both or neither.
     */
    private final java.util.concurrent.locks.ReadWriteLock snapshotLock =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    private final Persistence persistence;
    private volatile Instant latestRecord = Instant.EPOCH;

    public LocalSharedState() {
        this(Snapshot.EMPTY, Persistence.NONE);
    }

    /** Starts from {@code restored} and reports changes of the durable part to {@code persistence}. */
    public LocalSharedState(Snapshot restored, Persistence persistence) {
        this.persistence = requireNonNull(persistence, "persistence");
        restored.usage().forEach((k, v) -> usage.put(k, new AtomicLongArray(v.values())));
        conditions.putAll(restored.conditions());
        lastUsed.putAll(restored.lastUsed());
        quotas.putAll(restored.quotas());
        restored.applied().forEach((writer, list) -> {
            AppliedWrites a = new AppliedWrites();
            if (!list.isEmpty()) {
                a.low = list.get(0);
                a.seqs.addAll(list.subList(1, list.size()));
            }
            applied.put(writer, a);
        });
    }

    private LocalKeyState key(String keyId) {
        return keys.computeIfAbsent(keyId, id -> new LocalKeyState());
    }

    @Override
    public CompletionStage<Admission> admit(AdmissionRequest r) {
        var rules = r.rules();
        long total = spentIfLimited(rules.totalCostUsd(), r, Period.TOTAL);
        if (total >= 0 && total >= AdmissionRequest.micros(rules.totalCostUsd())) {
            return CompletableFuture.completedFuture(Admission.refused(Admission.Limit.TOTAL_COST, null, total));
        }
        long week = spentIfLimited(rules.weeklyCostUsd(), r, Period.WEEK);
        if (week >= 0 && week >= AdmissionRequest.micros(rules.weeklyCostUsd())) {
            return CompletableFuture.completedFuture(
                    Admission.refused(Admission.Limit.WEEKLY_COST, Period.WEEK.end(r.now()), week));
        }
        long day = spentIfLimited(rules.dailyCostUsd(), r, Period.DAY);
        if (day >= 0 && day >= AdmissionRequest.micros(rules.dailyCostUsd())) {
            return CompletableFuture.completedFuture(
                    Admission.refused(Admission.Limit.DAILY_COST, Period.DAY.end(r.now()), day));
        }
        LocalKeyState k = key(r.keyId());
        Admission result;
        synchronized (k) {
            result = admitLocked(k, r);
        }
        if (result.admitted() && (day >= 0 || week >= 0 || total >= 0)) {
            result = Admission.admitted(result.stickyAccountId(), new CostSpend(day, week, total));
        }
        return CompletableFuture.completedFuture(result);
    }

    /** The key's cost in {@code period}'s current bucket when {@code limitUsd} is set, else {@link CostSpend#UNREAD}. */
    private long spentIfLimited(@Nullable Double limitUsd, AdmissionRequest r, Period period) {
        return limitUsd == null ? CostSpend.UNREAD : counter(UsageScope.KEY, r.keyId(), period, r.now(), COST);
    }

    private static Admission admitLocked(LocalKeyState k, AdmissionRequest r) {
        long now = r.now().toEpochMilli();
        var rules = r.rules();
        if (rules.maxTokens() != null) {
            Duration window = requireNonNull(rules.tokenWindow(), "tokenWindow");
            long start = AdmissionRequest.windowStart(r.now(), window);
            prune(k.tokenWindows, now);
            long[] w = k.tokenWindows.get(start);
            long used = w == null ? 0 : w[0];
            if (used >= rules.maxTokens()) {
                return Admission.refused(Admission.Limit.TOKENS, Instant.ofEpochMilli(start + window.toMillis()), used);
            }
        }
        long[] requestWindow = null;
        if (rules.maxRequests() != null) {
            Duration window = requireNonNull(rules.requestWindow(), "requestWindow");
            long start = AdmissionRequest.windowStart(r.now(), window);
            prune(k.requestWindows, now);
            requestWindow = k.requestWindows.computeIfAbsent(start, s -> new long[] {0, s + window.toMillis()});
            if (requestWindow[0] >= rules.maxRequests()) {
                return Admission.refused(
                        Admission.Limit.REQUESTS, Instant.ofEpochMilli(requestWindow[1]), requestWindow[0]);
            }
        }
        if (rules.maxConcurrency() != null) {
            k.leases.values().removeIf(expiry -> expiry <= now);
            if (k.leases.size() >= rules.maxConcurrency()) {
                long earliest = k.leases.values().stream()
                        .mapToLong(Long::longValue)
                        .min()
                        .orElse(now);
                return Admission.refused(Admission.Limit.CONCURRENCY, Instant.ofEpochMilli(earliest), k.leases.size());
            }
            k.leases.put(r.leaseId(), now + r.leaseTtl().toMillis());
        }
        if (requestWindow != null) {
            requestWindow[0]++;
        }
        String sticky = null;
        if (r.sessionHash() != null) {
            sticky = k.sticky.use(r.sessionHash(), now, r.stickyTtl().toMillis());
        }
        return Admission.admitted(sticky);
    }

    private static void prune(Map<Long, long[]> windows, long now) {
        windows.values().removeIf(w -> w[1] <= now);
    }

    private long counter(UsageScope scope, String id, Period period, Instant at, int field) {
        AtomicLongArray v = usage.get(usageKey(scope, id, period, period.bucket(at)));
        return v == null ? 0 : v.get(field);
    }

    static String usageKey(UsageScope scope, String id, Period period, String bucket) {
        return scope.tag + "|" + id + "|" + period.name() + "|" + bucket;
    }

    @Override
    public CompletionStage<KeyWindows> windows(String keyId, io.relaygate.core.KeyRules rules, Instant now) {
        LocalKeyState k = key(keyId);
        synchronized (k) {
            return CompletableFuture.completedFuture(k.windows(rules, now));
        }
    }

    @Override
    public CompletionStage<Void> renew(String keyId, String leaseId, Instant until) {
        LocalKeyState k = keys.get(keyId);
        if (k != null) {
            synchronized (k) {
                k.leases.computeIfPresent(leaseId, (id, old) -> Math.max(old, until.toEpochMilli()));
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> release(String keyId, String leaseId) {
        LocalKeyState k = keys.get(keyId);
        if (k != null) {
            synchronized (k) {
                k.leases.remove(leaseId);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Long> releaseAll(String keyId) {
        LocalKeyState k = keys.get(keyId);
        long freed = 0;
        if (k != null) {
            synchronized (k) {
                freed = k.leases.size();
                k.leases.clear();
            }
        }
        return CompletableFuture.completedFuture(freed);
    }

    @Override
    public CompletionStage<Void> stick(String keyId, String sessionHash, String accountId, Instant now, Duration ttl) {
        LocalKeyState k = key(keyId);
        long nowMs = now.toEpochMilli();
        synchronized (k) {
            k.sticky.stick(sessionHash, accountId, nowMs, ttl.toMillis());
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> setCondition(String accountId, AccountCondition condition) {
        conditions.put(requireNonNull(accountId, "accountId"), requireNonNull(condition, "condition"));
        persistence.changed();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> clearCondition(String accountId) {
        conditions.remove(accountId);
        persistence.changed();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Map<String, AccountCondition>> conditions(Instant now) {
        Map<String, AccountCondition> active = new HashMap<>();
        conditions.forEach((id, c) -> {
            if (c.inEffectAt(now)) {
                active.put(id, c);
            }
        });
        return CompletableFuture.completedFuture(active);
    }

    @Override
    public CompletionStage<TrialClaim> claimTrial(String accountId, String claimId, Instant now, Duration ttl) {
        return CompletableFuture.completedFuture(trials.claim(accountId, claimId, now, ttl));
    }

    @Override
    public CompletionStage<Void> releaseTrial(String accountId, String claimId) {
        trials.release(accountId, claimId);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> markUsed(String accountId, Instant at) {
        lastUsed.merge(accountId, at, (a, b) -> a.isAfter(b) ? a : b);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Map<String, Instant>> lastUsed() {
        return CompletableFuture.completedFuture(Map.copyOf(lastUsed));
    }

    @Override
    public CompletionStage<Void> setQuota(String accountId, AccountQuota quota) {
        quotas.put(requireNonNull(accountId, "accountId"), requireNonNull(quota, "quota"));
        persistence.changed();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Map<String, AccountQuota>> quotas() {
        return CompletableFuture.completedFuture(Map.copyOf(quotas));
    }

    @Override
    public CompletionStage<Void> record(UsageRecord r, java.util.Set<UsageScope> scopes) {
        long[] add = r.counters().values();
        boolean key = scopes.contains(UsageScope.KEY);
        if (key) {
            if (r.limitsCounted()) {
                // spend() put the cost into the buckets the key limits it in and the tokens into the window
                long[] withoutCost = add.clone();
                withoutCost[COST] = 0;
                for (Period p : Period.values()) {
                    addTo(UsageScope.KEY, r.keyId(), p, r.at(), r.costLimits().contains(p) ? withoutCost : add);
                }
            } else {
                addAll(UsageScope.KEY, r.keyId(), r.at(), add);
                addToWindow(r);
            }
        }
        if (r.accountId() != null && scopes.contains(UsageScope.ACCOUNT)) {
            addAll(UsageScope.ACCOUNT, r.accountId(), r.at(), add);
        }
        if (r.model() != null && scopes.contains(UsageScope.MODEL)) {
            addAll(UsageScope.MODEL, r.model(), r.at(), add);
        }
        changed(r.at());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> record(UsageRecord r, java.util.Set<UsageScope> scopes, WriteId id) {
        snapshotLock.readLock().lock();
        try {
            if (!applied.computeIfAbsent(id.writer(), w -> new AppliedWrites()).seen(id)) {
                record(r, scopes);
            }
        } finally {
            snapshotLock.readLock().unlock();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> spend(UsageRecord r, WriteId id) {
        snapshotLock.readLock().lock();
        try {
            if (!applied.computeIfAbsent(id.writer(), w -> new AppliedWrites()).seen(id)) {
                spend(r);
            } else if (r.leaseId() != null) {
                release(r.keyId(), r.leaseId());
            }
        } finally {
            snapshotLock.readLock().unlock();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> spend(UsageRecord r) {
        if (r.counters().costMicros() != 0) {
            long[] cost = new long[FIELDS];
            cost[COST] = r.counters().costMicros();
            for (Period p : r.costLimits()) {
                addTo(UsageScope.KEY, r.keyId(), p, r.at(), cost);
            }
        }
        addToWindow(r);
        if (r.leaseId() != null) {
            release(r.keyId(), r.leaseId());
        }
        changed(r.at());
        return CompletableFuture.completedFuture(null);
    }

    private void addToWindow(UsageRecord r) {
        Duration window = r.tokenWindow();
        if (window == null) {
            return;
        }
        LocalKeyState k = key(r.keyId());
        long start = AdmissionRequest.windowStart(r.at(), window);
        synchronized (k) {
            k.tokenWindows.computeIfAbsent(start, st -> new long[] {0, st + window.toMillis()})[0] +=
                    r.counters().totalTokens();
        }
    }

    private void changed(Instant at) {
        if (at.isAfter(latestRecord)) {
            latestRecord = at;
        }
        persistence.changed();
    }

    /** Every period's bucket, weeks too (the overview's top accounts and models of the week read them). */
    private void addAll(UsageScope scope, String id, Instant at, long[] add) {
        for (Period p : Period.values()) {
            addTo(scope, id, p, at, add);
        }
    }

    private void addTo(UsageScope scope, String id, Period p, Instant at, long[] add) {
        AtomicLongArray v =
                usage.computeIfAbsent(usageKey(scope, id, p, p.bucket(at)), x -> new AtomicLongArray(FIELDS));
        for (int i = 0; i < add.length; i++) {
            if (add[i] != 0) {
                v.addAndGet(i, add[i]);
            }
        }
    }

    /** Drops hour and day buckets past their retention, measured from the newest record's time. */
    private void pruneUsage() {
        Instant latest = latestRecord;
        String oldestHour = Period.HOUR.bucket(latest.minusMillis(Period.HOUR.retentionMillis()));
        String oldestDay = Period.DAY.bucket(latest.minusMillis(Period.DAY.retentionMillis()));
        usage.keySet().removeIf(key -> {
            int bar = key.lastIndexOf('|');
            String bucket = key.substring(bar + 1);
            return (key.endsWith("|HOUR|" + bucket) && bucket.compareTo(oldestHour) < 0)
                    || (key.endsWith("|DAY|" + bucket) && bucket.compareTo(oldestDay) < 0);
        });
    }

    @Override
    public CompletionStage<List<UsageRow>> usage(UsageScope scope, Period period, Instant at) {
        return CompletableFuture.completedFuture(LocalUsageReads.rows(usage, scope, period, at));
    }

    @Override
    public CompletionStage<List<UsageCounters>> usageOf(UsageScope scope, String id, Period period, List<Instant> ats) {
        return CompletableFuture.completedFuture(LocalUsageReads.of(usage, scope, id, period, ats));
    }

    /** The durable part, for saving (old hour and day buckets are dropped first). */
    public Snapshot snapshot() {
        pruneUsage();
        snapshotLock.writeLock().lock();
        try {
            Map<String, UsageCounters> u = new HashMap<>(usage.size() * 2);
            usage.forEach((k, v) -> u.put(k, LocalUsageReads.counters(v)));
            Map<String, List<Long>> a = new HashMap<>();
            applied.forEach((w, x) -> a.put(w, x.encode()));
            return new Snapshot(u, conditions, lastUsed, quotas, a);
        } finally {
            snapshotLock.writeLock().unlock();
        }
    }

    @Override
    public void close() {}
}
