package io.relaygate.accounts.state;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The Redis store's usage writes: per record one usage.lua per scope (the key's, the account's and the model's hashes
 * of every period, each in its id's slot), the index SADD the first time this process sees an id, and per batch the
 * top lists ({@link RedisTopLists}) from the sums the scripts answer. On a Redis that is one server (standalone or
 * Sentinel-watched) a batch is instead one batch.lua: every usage.lua of the batch and its top lists in one call, since
 * one server holds every slot; on a Cluster the scopes' slots differ and the calls stay apart.
 */
final class RedisUsageWrites {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String prefix;
    private final RedisScript usage;
    private final RedisTopLists topLists;
    /** Every write of a batch in one call (batch.lua), or {@code null} on a Cluster: a call per slot. */
    private final @Nullable RedisScript batch;
    /** Ids this instance has put into the {@code {idx}} sets: each is added once per process, not per request. */
    private final Set<String> indexed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    RedisUsageWrites(
            RedisClusterAsyncCommands<String, String> redis,
            String prefix,
            RedisScript usage,
            RedisTopLists topLists,
            @Nullable RedisScript batch) {
        this.redis = redis;
        this.batch = batch;
        this.prefix = prefix;
        this.usage = usage;
        this.topLists = topLists;
    }

    /**
     * Writes each record's usage of {@code scopes}, then, once every write of the batch has ended, the batch's top
     * lists; one stage per write, in order, complete when both are (failed when its usage write failed; a failed
     * ranking fails nothing: the usage is written, the next batch ranks its ids again).
     */
    List<CompletionStage<Void>> write(List<UsageWrite> batch, Set<UsageScope> scopes) {
        return write(batch, scopes, null);
    }

    /**
     * {@link #write(List, Set)}, the batch.lua call (one server) parked in {@code rider} for the next spend when one is
     * given; on a Cluster, or without a rider, as {@link #write(List, Set)}.
     */
    List<CompletionStage<Void>> write(
            List<UsageWrite> batch, Set<UsageScope> scopes, @Nullable RedisGroupCommit rider) {
        if (this.batch != null) {
            return writeAtOnce(this.batch, batch, scopes, rider);
        }
        RedisTopLists.Batch tops = topLists.new Batch();
        List<CompletableFuture<Void>> usage = new ArrayList<>(batch.size());
        for (UsageWrite w : batch) {
            usage.add(write(w.record(), scopes, w.id(), tops).toCompletableFuture());
        }
        CompletableFuture<Void> ranked = CompletableFuture.allOf(usage.toArray(CompletableFuture[]::new))
                .handle((ok, e) -> null)
                .thenCompose(x -> tops.write());
        List<CompletionStage<Void>> out = new ArrayList<>(batch.size());
        for (CompletableFuture<Void> u : usage) {
            out.add(u.thenCombine(ranked, (a, b) -> null));
        }
        return out;
    }

    /**
     * The whole batch as one batch.lua, sent now or, with a {@code rider}, parked there to go with the next spend: one
     * stage per write, all complete (or failed) with that call and, for an id this process has not indexed yet, its
     * index SADD.
     */
    private List<CompletionStage<Void>> writeAtOnce(
            RedisScript script, List<UsageWrite> batch, Set<UsageScope> scopes, @Nullable RedisGroupCommit rider) {
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        args.add("");
        int sections = 0;
        List<List<CompletableFuture<?>>> indexes = new ArrayList<>(batch.size());
        for (UsageWrite w : batch) {
            List<CompletableFuture<?>> index = new ArrayList<>(0);
            for (Scoped s : scopes(w.record(), scopes)) {
                Section section = section(s.scope(), s.id(), w.record(), w.id());
                args.add(Integer.toString(section.keys().size()));
                args.add(Integer.toString(section.args().size()));
                args.add(s.id());
                List<String> lists = new ArrayList<>(Period.values().length);
                for (Period p : Period.values()) {
                    if (p != Period.TOTAL) {
                        lists.add(topLists.key(s.scope(), p, p.bucket(w.record().at())));
                        // the cost of the period's hash in usage.lua's answer (1-based), its requests next
                        args.add(Integer.toString(2 * p.ordinal() + 1));
                        args.add(Long.toString(
                                RedisSharedState.ttlMillis(p, w.record().at())));
                    }
                }
                args.add(args.size() - 2 * lists.size(), Integer.toString(lists.size()));
                args.addAll(section.args());
                keys.addAll(section.keys());
                keys.addAll(lists);
                sections++;
                index(s.scope(), s.id(), index);
            }
            indexes.add(index);
        }
        args.set(0, Integer.toString(sections));
        CompletionStage<Long> call = rider != null
                ? rider.batch(keys, args)
                : script.run(ScriptOutputType.INTEGER, keys.toArray(String[]::new), args.toArray(String[]::new));
        CompletableFuture<Void> written = call.thenApply(n -> (Void) null).toCompletableFuture();
        List<CompletionStage<Void>> out = new ArrayList<>(batch.size());
        for (List<CompletableFuture<?>> index : indexes) {
            index.add(written);
            out.add(indexed(index));
        }
        return out;
    }

    private CompletionStage<Void> write(
            UsageRecord r, Set<UsageScope> scopes, @Nullable WriteId id, RedisTopLists.Batch tops) {
        List<CompletableFuture<?>> writes = new ArrayList<>(6);
        for (Scoped s : scopes(r, scopes)) {
            writes.add(recordScope(s.scope(), s.id(), r, id, tops));
            index(s.scope(), s.id(), writes);
        }
        return indexed(writes);
    }

    /** The scopes of {@code r} to write: its key's, its account's and its model's, those it has and were asked for. */
    private static List<Scoped> scopes(UsageRecord r, Set<UsageScope> scopes) {
        List<Scoped> out = new ArrayList<>(3);
        if (scopes.contains(UsageScope.KEY)) {
            out.add(new Scoped(UsageScope.KEY, r.keyId()));
        }
        if (r.accountId() != null && scopes.contains(UsageScope.ACCOUNT)) {
            out.add(new Scoped(UsageScope.ACCOUNT, r.accountId()));
        }
        if (r.model() != null && scopes.contains(UsageScope.MODEL)) {
            out.add(new Scoped(UsageScope.MODEL, r.model()));
        }
        return out;
    }

    /** Completes when {@code writes} have; when one failed, forgets which ids are indexed. */
    private CompletionStage<Void> indexed(List<CompletableFuture<?>> writes) {
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).whenComplete((ok, e) -> {
            if (e != null) {
                // Redis was away and may have come back empty: index every id again
                indexed.clear();
            }
        });
    }

    private void index(UsageScope scope, String id, List<CompletableFuture<?>> writes) {
        String member = scope.tag + ":" + id;
        if (indexed.contains(member)) {
            return;
        }
        CompletableFuture<Long> added =
                redis.sadd(prefix + "{idx}:" + scope.tag, id).toCompletableFuture();
        added.thenRun(() -> indexed.add(member));
        writes.add(added);
    }

    /** The writer's applied set of {@code scope}'s {@code id}, in that id's slot. */
    private String appliedKey(UsageScope scope, String id, WriteId w) {
        return prefix + "{" + scope.tag + ":" + id + "}:j:" + w.writer();
    }

    private record Scoped(UsageScope scope, String id) {}

    /** One usage.lua call's keys and arguments. */
    private record Section(List<String> keys, List<String> args) {}

    private Section section(UsageScope scope, String id, UsageRecord r, @Nullable WriteId w) {
        boolean isKey = scope == UsageScope.KEY;
        List<String> keys = new ArrayList<>(6);
        List<String> args = new ArrayList<>(15);
        List<String> ttls = new ArrayList<>(4);
        StringBuilder costMask = new StringBuilder(4);
        for (Period p : Period.values()) {
            keys.add(RedisSharedState.usageKey(prefix, scope, id, p, p.bucket(r.at())));
            // a counted record's cost is in the buckets its key limits already (spend.lua), the batch adds the rest
            costMask.append(isKey && r.limitsCounted() && r.costLimits().contains(p) ? '0' : '1');
            ttls.add(Long.toString(RedisSharedState.ttlMillis(p, r.at())));
        }
        args.add(Integer.toString(keys.size()));
        for (long v : r.counters().values()) {
            args.add(Long.toString(v));
        }
        args.addAll(ttls);
        Duration window = isKey && !r.limitsCounted() ? r.tokenWindow() : null;
        if (window != null) {
            long start = AdmissionRequest.windowStart(r.at(), window);
            keys.add(prefix + "{k:" + id + "}:tw:" + start);
            args.add(Long.toString(RedisSharedState.windowTtlMillis(start, window, r.at())));
        } else {
            args.add("0");
        }
        args.add(costMask.toString());
        if (w != null) {
            keys.add(appliedKey(scope, id, w));
            args.add(Long.toString(w.seq()));
            args.add(Long.toString(w.low()));
        }
        return new Section(keys, args);
    }

    private CompletableFuture<?> recordScope(
            UsageScope scope, String id, UsageRecord r, @Nullable WriteId w, RedisTopLists.Batch tops) {
        Section section = section(scope, id, r, w);
        return usage.<List<Object>>run(
                        ScriptOutputType.MULTI,
                        section.keys().toArray(String[]::new),
                        section.args().toArray(String[]::new))
                .thenAccept(sums -> {
                    // per hash in Period order: its cost and requests after this write; none when applied before
                    Period[] periods = Period.values();
                    for (int i = 0; i + 1 < sums.size() && i / 2 < periods.length; i += 2) {
                        Period p = periods[i / 2];
                        if (p != Period.TOTAL) {
                            tops.add(scope, id, p, r.at(), number(sums.get(i)), number(sums.get(i + 1)));
                        }
                    }
                })
                .toCompletableFuture();
    }

    private static long number(@Nullable Object o) {
        return o instanceof Number n ? n.longValue() : o == null ? 0 : Long.parseLong(o.toString());
    }
}
