package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Redis backend. Key layout under the prefix, each family under one hash tag so multi-key scripts stay in one slot:
 *
 * <ul>
 *   <li>{@code {k:<key id>}:lease} concurrency leases (zset, lease id → expiry ms; member {@code ~}, scored minus the
 *       deadline the set's expiry was last set to, admit.lua); {@code :rw:<start>} and
 *       {@code :tw:<start>} request and token windows; {@code :s:<session hash>} sticky account; {@code :u:<period>:<bucket>}
 *       the key's usage hashes (cost limits read them in the admission script)
 *   <li>{@code {a:<account id>}:u:…} and {@code {m:<model>}:u:…} account and model usage hashes
 *   <li>{@code {top}:k|a|m:<period>:<bucket>} the ids of a bucket ranked by cost, then requests (zset);
 *       {@code {idx}:k|a|m} the ids that have usage; {@code {acct}:conditions}, {@code {acct}:used} and
 *       {@code {acct}:quota} account conditions, last-used times and the upstreams' rate-limit readings (one hash
 *       each, field per account, read whole by the scheduler's cache); {@code {acct}:trial:<account id>} the claim
 *       on a half-open account's one trial request (trial.lua, with a TTL)
 * </ul>
 *
 * <p>Admission is one EVALSHA; a usage batch ({@link #recordAll}), whatever the number of records, is one EVALSHA on a
 * Redis of one server (batch.lua: every record's usage and the top lists it touched). On a Cluster a usage record is
 * three (key, account, model: three slots), pipelined on the shared connection, and the batch adds one EVALSHA for
 * the top lists ({@code {top}:<scope>:<period>:<bucket>}, one slot, {@link RedisTopLists}); the index SADDs come once
 * per id and process. A key with token or cost limits adds one EVALSHA per request (spend.lua:
 * cost and tokens where admission reads them, and the lease given back), so it costs two commands per request, the
 * admission and the spend. On one server, once the store runs on the gateway's event loops, a spend waits on its loop
 * for the loop's next admission and goes in its call, and the usage batch and the request records that are due ride
 * in the next call too ({@link RedisGroupCommit}): one top-level command a request on a busy loop, two at most. A key
 * far from its limits is admitted by the loop itself and its admission rides the same way ({@link RedisLoopStandings},
 * {@link RedisAdmissions}): then nothing on a request's path waits for Redis.
 */
public final class RedisSharedState implements SharedState {

    private static final long SLACK_MILLIS = 60_000;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String prefix;
    private final java.util.function.Function<String, CompletionStage<?>> conditionChanged;
    private final RedisScript usage;
    private final RedisScript spend;
    private final RedisScript trial;
    private final RedisScript renew;
    private final RedisTopLists topLists;
    private final RedisUsageWrites writes;
    private final RedisKeyNames names;
    /** A Redis of one server's group commit (spends ride admissions, batches ride either); null on a Cluster. */
    private final @org.jspecify.annotations.Nullable RedisGroupCommit groupCommit;

    private final RedisAdmissions admissions;

    /** A state that publishes no condition changes; {@code oneServer} as in the full constructor. */
    public RedisSharedState(RedisClusterAsyncCommands<String, String> redis, String prefix, boolean oneServer) {
        this(redis, prefix, accountId -> CompletableFuture.completedFuture(null), oneServer);
    }

    /**
     * @param conditionChanged told (after the write) of each account put out of rotation or back, so other instances
     *     read the conditions again at once; what it returns is waited for before the write completes
     * @param oneServer whether every key is on one server (standalone or Sentinel-watched, not a Cluster): a usage
     *     batch is then one call (batch.lua) instead of one per scope and one for the top lists, and the regular
     *     batches ride in the next spend's call ({@link RedisGroupCommit}, at most {@link
     *     RedisGroupCommit#DEFAULT_BOUND} later)
     */
    public RedisSharedState(
            RedisClusterAsyncCommands<String, String> redis,
            String prefix,
            java.util.function.Function<String, CompletionStage<?>> conditionChanged,
            boolean oneServer) {
        this(
                redis,
                prefix,
                conditionChanged,
                oneServer,
                RedisGroupCommit.DEFAULT_BOUND,
                RedisGroupCommit.DEFAULT_SPEND_BOUND,
                () -> null,
                Duration.ZERO);
    }

    /**
     * A state of one server whose spends made on the loops {@code currentLoop} names wait there for the loop's next
     * admission ({@link RedisGroupCommit}, at most {@link RedisGroupCommit#DEFAULT_SPEND_BOUND}): the store's, once it
     * runs on the gateway's loops.
     *
     * @param currentLoop the event loop the calling thread runs when the store has a connection on it, else null
     * @param localAdmission how long a loop's view of a key's standing lets it admit the key's requests itself while
     *     they are far from its limits ({@link RedisLoopStandings}); zero: Redis decides every admission
     */
    public RedisSharedState(
            RedisClusterAsyncCommands<String, String> redis,
            String prefix,
            java.util.function.Function<String, CompletionStage<?>> conditionChanged,
            java.util.function.Supplier<io.netty.util.concurrent.@org.jspecify.annotations.Nullable EventExecutor>
                    currentLoop,
            Duration localAdmission) {
        this(
                redis,
                prefix,
                conditionChanged,
                true,
                RedisGroupCommit.DEFAULT_BOUND,
                RedisGroupCommit.DEFAULT_SPEND_BOUND,
                currentLoop,
                localAdmission);
    }

    /**
     * A state of one server with both bounds given, spends riding on the loops {@code currentLoop} names, and loops
     * admitting far-from-limit keys themselves for {@code localAdmission} (tests).
     */
    public RedisSharedState(
            RedisClusterAsyncCommands<String, String> redis,
            String prefix,
            Duration rideBound,
            Duration spendBound,
            java.util.function.Supplier<io.netty.util.concurrent.@org.jspecify.annotations.Nullable EventExecutor>
                    currentLoop,
            Duration localAdmission) {
        this(
                redis,
                prefix,
                accountId -> CompletableFuture.completedFuture(null),
                true,
                rideBound,
                spendBound,
                currentLoop,
                localAdmission);
    }

    private RedisSharedState(
            RedisClusterAsyncCommands<String, String> redis,
            String prefix,
            java.util.function.Function<String, CompletionStage<?>> conditionChanged,
            boolean oneServer,
            Duration rideBound,
            Duration spendBound,
            java.util.function.Supplier<io.netty.util.concurrent.@org.jspecify.annotations.Nullable EventExecutor>
                    currentLoop,
            Duration localAdmission) {
        this.conditionChanged = requireNonNull(conditionChanged, "conditionChanged");
        this.redis = requireNonNull(redis, "redis");
        this.prefix = requireNonNull(prefix, "prefix");
        this.names = new RedisKeyNames(prefix);
        RedisScript admit = new RedisScript(redis, resource("admit.lua"));
        String applied = resource("applied.lua");
        String usageFunction = applied + resource("usage.lua");
        this.usage = new RedisScript(redis, usageFunction + "return usage(KEYS, ARGV)\n");
        String spendSource = resource("spend.lua");
        this.spend = new RedisScript(redis, applied + spendSource);
        this.trial = new RedisScript(redis, resource("trial.lua"));
        this.renew = new RedisScript(redis, resource("renew.lua"));
        this.topLists = new RedisTopLists(redis, prefix, new RedisScript(redis, resource("topset.lua")));
        String batchSource = resource("batch.lua");
        this.writes = new RedisUsageWrites(
                redis, prefix, usage, topLists, oneServer ? new RedisScript(redis, usageFunction + batchSource) : null);
        this.groupCommit = oneServer
                ? new RedisGroupCommit(
                        redis,
                        usageFunction,
                        spendSource,
                        spend,
                        admit,
                        batchSource,
                        rideBound,
                        spendBound,
                        currentLoop,
                        localAdmission)
                : null;
        this.admissions = new RedisAdmissions(admit, names, groupCommit);
    }

    /**
     * The group commit the request records ride in too (RedisRequestRecords), or {@code null} on a Cluster (or a
     * state made without {@code oneServer}): the records' stream is in a slot of its own there.
     */
    public @org.jspecify.annotations.Nullable RedisGroupCommit groupCommit() {
        return groupCommit;
    }

    /** The event loops' own admissions ({@link RedisLoopStandings}); zeros on a Cluster. */
    @Override
    public long[] admittedWithoutWaiting() {
        RedisGroupCommit rider = groupCommit;
        return rider == null ? new long[2] : rider.admittedHere();
    }

    static String resource(String name) {
        try (InputStream in = RedisSharedState.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String keyTag(String keyId) {
        return keyTag(prefix, keyId);
    }

    static String keyTag(String prefix, String keyId) {
        return prefix + "{k:" + keyId + "}:";
    }

    private String usageKey(UsageScope scope, String id, Period period, String bucket) {
        return usageKey(prefix, scope, id, period, bucket);
    }

    static String usageKey(String prefix, UsageScope scope, String id, Period period, String bucket) {
        return prefix + "{" + scope.tag + ":" + id + "}:u:" + period.name() + ":" + bucket;
    }

    @Override
    public CompletionStage<Admission> admit(AdmissionRequest r) {
        return admissions.admit(r);
    }

    @Override
    public CompletionStage<KeyWindows> windows(String keyId, io.relaygate.core.KeyRules rules, Instant now) {
        return RedisKeyWindows.read(redis, keyTag(keyId), rules, now);
    }

    @Override
    public CompletionStage<Void> renew(String keyId, String leaseId, Instant until) {
        // one script: the lease, and the set's expiry moved only ever later (renew.lua), never below what admit.lua
        // counts on for the other leases
        String[] args = {leaseId, Long.toString(until.toEpochMilli()), Long.toString(System.currentTimeMillis())};
        return renew.<Long>run(ScriptOutputType.INTEGER, new String[] {keyTag(keyId) + "lease"}, args)
                .thenApply(n -> null);
    }

    @Override
    public CompletionStage<Void> release(String keyId, String leaseId) {
        RedisGroupCommit rider = groupCommit;
        RedisLoopStandings loop = rider == null ? null : rider.standings();
        if (loop == null) {
            return redis.zrem(keyTag(keyId) + "lease", leaseId).thenApply(n -> null);
        }
        // on a loop that admits by itself the lease may still be parked there: given back after it, in order
        loop.spent(keyId, 0, 0, true);
        RedisSpendCall call = RedisSpendCall.lease(names.of(keyId), leaseId);
        return rider.spend(call.keys(), call.args()).thenApply(n -> null);
    }

    @Override
    public CompletionStage<Long> releaseAll(String keyId) {
        // one command, atomic: every lease (scores are expiries, > 0), counted; the set's member '~' (a negative
        // score, admit.lua) stays, and with it the set's expiry
        return redis.zremrangebyscore(
                keyTag(keyId) + "lease", Range.from(Range.Boundary.excluding(0), Range.Boundary.unbounded()));
    }

    @Override
    public CompletionStage<Void> stick(String keyId, String sessionHash, String accountId, Instant now, Duration ttl) {
        long expiry = now.toEpochMilli() + ttl.toMillis();
        return redis.psetex(keyTag(keyId) + "s:" + sessionHash, ttl.toMillis() + SLACK_MILLIS, accountId + "|" + expiry)
                .thenApply(ok -> null);
    }

    private String conditionsKey() {
        return prefix + "{acct}:conditions";
    }

    private String usedKey() {
        return prefix + "{acct}:used";
    }

    @Override
    public CompletionStage<Void> setCondition(String accountId, AccountCondition c) {
        return redis.hset(conditionsKey(), accountId, ConditionCodec.encode(c))
                .thenCompose(b -> conditionChanged.apply(accountId))
                .thenApply(b -> null);
    }

    @Override
    public CompletionStage<Void> clearCondition(String accountId) {
        return redis.hdel(conditionsKey(), accountId)
                .thenCompose(n -> conditionChanged.apply(accountId))
                .thenApply(n -> null);
    }

    @Override
    public CompletionStage<Map<String, AccountCondition>> conditions(Instant now) {
        return redis.hgetall(conditionsKey()).thenApply(all -> {
            Map<String, AccountCondition> active = new HashMap<>();
            all.forEach((id, v) -> {
                AccountCondition c = ConditionCodec.decode(v);
                if (c != null && c.inEffectAt(now)) {
                    active.put(id, c);
                }
            });
            return active;
        });
    }

    private String trialKey(String accountId) {
        return prefix + "{acct}:trial:" + accountId;
    }

    @Override
    public CompletionStage<TrialClaim> claimTrial(String accountId, String claimId, Instant now, Duration ttl) {
        String[] keys = {conditionsKey(), trialKey(accountId)};
        String[] args = {
            "claim", accountId, claimId, Long.toString(now.toEpochMilli()), Long.toString(Math.max(1, ttl.toMillis()))
        };
        return trial.<Long>run(ScriptOutputType.INTEGER, keys, args)
                .thenApply(r -> r == 1 ? TrialClaim.CLAIMED : r == 2 ? TrialClaim.RECOVERED : TrialClaim.TAKEN);
    }

    @Override
    public CompletionStage<Void> releaseTrial(String accountId, String claimId) {
        String[] keys = {conditionsKey(), trialKey(accountId)};
        return trial.<Long>run(ScriptOutputType.INTEGER, keys, new String[] {"release", accountId, claimId})
                .thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> markUsed(String accountId, Instant at) {
        return redis.hset(usedKey(), accountId, Long.toString(at.toEpochMilli()))
                .thenApply(b -> null);
    }

    @Override
    public CompletionStage<Map<String, Instant>> lastUsed() {
        return redis.hgetall(usedKey()).thenApply(all -> {
            Map<String, Instant> out = new HashMap<>();
            all.forEach((id, ms) -> out.put(id, Instant.ofEpochMilli(Long.parseLong(ms))));
            return out;
        });
    }

    private String quotaKey() {
        return prefix + "{acct}:quota";
    }

    @Override
    public CompletionStage<Void> setQuota(String accountId, AccountQuota quota) {
        return redis.hset(quotaKey(), accountId, quota.encode()).thenApply(b -> null);
    }

    @Override
    public CompletionStage<Map<String, AccountQuota>> quotas() {
        return redis.hgetall(quotaKey()).thenApply(all -> {
            Map<String, AccountQuota> out = new HashMap<>();
            all.forEach((id, v) -> {
                AccountQuota q = AccountQuota.decode(v);
                if (q != null) {
                    out.put(id, q);
                }
            });
            return out;
        });
    }

    @Override
    public CompletionStage<Void> record(UsageRecord r, java.util.Set<UsageScope> scopes) {
        return writes.write(List.of(new UsageWrite(r, null)), scopes).get(0);
    }

    @Override
    public CompletionStage<Void> record(UsageRecord r, java.util.Set<UsageScope> scopes, WriteId id) {
        return writes.write(List.of(new UsageWrite(r, requireNonNull(id, "id"))), scopes)
                .get(0);
    }

    /**
     * On one server one batch.lua; on a Cluster each record's scripts, pipelined, then one topset.lua for the top
     * lists the batch touched.
     */
    @Override
    public List<CompletionStage<Void>> recordAll(List<UsageWrite> batch) {
        return writes.write(batch, java.util.EnumSet.allOf(UsageScope.class));
    }

    /**
     * On one server the batch.lua call waits, parked, for the next spend and goes in its call ({@link
     * RedisGroupCommit}), or alone after {@link RedisGroupCommit#DEFAULT_BOUND}; on a Cluster as {@link #recordAll}.
     */
    @Override
    public List<CompletionStage<Void>> recordAllRiding(List<UsageWrite> batch) {
        return writes.write(batch, java.util.EnumSet.allOf(UsageScope.class), groupCommit);
    }

    /** The writer's applied set of {@code scope}'s {@code id}, in that id's slot. */
    private String appliedKey(UsageScope scope, String id, WriteId w) {
        return prefix + "{" + scope.tag + ":" + id + "}:j:" + w.writer();
    }

    static long ttlMillis(Period p, Instant at) {
        return p == Period.TOTAL ? 0 : p.end(at).toEpochMilli() - at.toEpochMilli() + p.retentionMillis();
    }

    /** How long the token window that started at {@code start} is kept: to its end, plus slack. */
    static long windowTtlMillis(long start, Duration window, Instant at) {
        return start + window.toMillis() - at.toEpochMilli() + SLACK_MILLIS;
    }

    @Override
    public CompletionStage<Void> spend(UsageRecord r) {
        return spendOnce(r, null);
    }

    @Override
    public CompletionStage<Void> spend(UsageRecord r, WriteId w) {
        return spendOnce(r, requireNonNull(w, "w"));
    }

    private CompletionStage<Void> spendOnce(UsageRecord r, @org.jspecify.annotations.Nullable WriteId w) {
        RedisSpendCall call = RedisSpendCall.of(
                names.of(r.keyId()), r, w, w == null ? null : appliedKey(UsageScope.KEY, r.keyId(), w));
        if (call == null) {
            return CompletableFuture.completedFuture(null);
        }
        RedisGroupCommit rider = groupCommit;
        RedisLoopStandings loop = rider == null ? null : rider.standings();
        if (loop != null) {
            loop.spent(r.keyId(), call.cost(), call.tokens(), r.leaseId() != null);
        }
        // on one server: on a store loop, parked for the loop's next admission; elsewhere with the batches parked
        return (rider != null
                        ? rider.spend(call.keys(), call.args())
                        : spend.<Long>run(ScriptOutputType.INTEGER, call.keys(), call.args()))
                .thenApply(n -> null);
    }

    @Override
    public CompletionStage<List<UsageRow>> usage(UsageScope scope, Period period, Instant at) {
        String bucket = period.bucket(at);
        return RedisUsageReads.rows(
                redis, prefix + "{idx}:" + scope.tag, scope, bucket, id -> usageKey(scope, id, period, bucket));
    }

    @Override
    public CompletionStage<List<UsageCounters>> usageOf(UsageScope scope, String id, Period period, List<Instant> ats) {
        List<String> hashes = new ArrayList<>(ats.size());
        for (Instant at : ats) {
            hashes.add(usageKey(scope, id, period, period.bucket(at)));
        }
        return RedisUsageReads.of(redis, hashes);
    }

    /** Hours, days and weeks from their top lists; the total (no list kept) by reading every id. */
    @Override
    public CompletionStage<List<UsageRow>> top(UsageScope scope, Period period, Instant at, int n) {
        return period == Period.TOTAL
                ? SharedState.super.top(scope, period, at, n)
                : topLists.top(scope, period, at, n, (id, bucket) -> usageKey(scope, id, period, bucket));
    }

    /**
     * Sends the spends parked on the store's loops now, each from its loop, and waits for their answers at most {@code
     * timeout}: before the store stops running on the loops ({@code Store.runOn}'s handle), which drop their timers
     * when they stop.
     */
    public void flushLoops(Duration timeout) {
        RedisGroupCommit rider = groupCommit;
        if (rider != null) {
            rider.flushLoops(timeout);
        }
    }

    /** Sends what is parked now; the connection belongs to the store, which closes it. */
    @Override
    public void close() {
        RedisGroupCommit rider = groupCommit;
        if (rider != null) {
            rider.flush();
        }
    }
}
