package io.relaygate.accounts.state;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * The Redis store's top lists: per scope and usage bucket a sorted set {@code {top}:<scope>:<period>:<bucket>} of the
 * ids with usage in it, ranked by cost, then requests, so the console's top keys, accounts and models are a
 * {@code ZREVRANGE} and an {@code HMGET} per listed id, however many ids there are.
 *
 * <p>Written per usage batch, never per request: each usage write (usage.lua) answers its hashes' sums, a
 * {@link Batch} collects them, and when the batch's writes are done one topset.lua raises the scores of every list. The sets
 * live in their own slot ({@code {top}}), so that call cannot be part of usage.lua on a Redis Cluster. A score is a
 * ranking, not a sum (the counters shown are read from the usage hashes): a batch whose ranking write fails leaves its
 * ids ranked by their earlier sums until their next write.
 */
final class RedisTopLists {

    /** Ids per topset.lua call (a list's go through Lua's stack at once). */
    private static final int CHUNK = 500;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String prefix;
    private final RedisScript topset;

    RedisTopLists(RedisClusterAsyncCommands<String, String> redis, String prefix, RedisScript topset) {
        this.redis = redis;
        this.prefix = prefix;
        this.topset = topset;
    }

    String key(UsageScope scope, Period period, String bucket) {
        return prefix + "{top}:" + scope.tag + ":" + period.name() + ":" + bucket;
    }

    /**
     * The rank of an id with these sums: cost in micro-USD, requests in the fraction (requests / 2^20, so equal costs,
     * zero ones included, rank by requests; exact below 2^32 micro-USD, beyond that cost alone ranks).
     */
    static double score(long costMicros, long requests) {
        return costMicros + Math.min(requests, (1L << 20) - 1) / (double) (1L << 20);
    }

    /** The sums of one batch of usage writes, by list. */
    final class Batch {
        private final Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
        private final Map<String, Long> ttls = new HashMap<>();

        /** {@code id} has {@code costMicros} and {@code requests} in the {@code period} bucket holding {@code at}. */
        synchronized void add(UsageScope scope, String id, Period period, Instant at, long costMicros, long requests) {
            String key = key(scope, period, period.bucket(at));
            scores.computeIfAbsent(key, k -> new HashMap<>()).merge(id, score(costMicros, requests), Math::max);
            ttls.merge(key, RedisSharedState.ttlMillis(period, at), Math::max);
        }

        /**
         * One topset.lua for every list of the batch (per {@value #CHUNK} ids); completes when the calls have, failed
         * ones included.
         */
        CompletableFuture<Void> write() {
            List<CompletableFuture<?>> writes = new ArrayList<>();
            synchronized (this) {
                List<String> keys = new ArrayList<>();
                List<String> args = new ArrayList<>();
                int ids = 0;
                for (Map.Entry<String, Map<String, Double>> list : scores.entrySet()) {
                    String key = list.getKey();
                    List<Map.Entry<String, Double>> entries =
                            new ArrayList<>(list.getValue().entrySet());
                    for (int from = 0; from < entries.size(); ) {
                        int n = Math.min(entries.size() - from, CHUNK - ids);
                        keys.add(key);
                        args.add(Long.toString(ttls.getOrDefault(key, 0L)));
                        args.add(Integer.toString(n));
                        for (Map.Entry<String, Double> e : entries.subList(from, from + n)) {
                            args.add(Double.toString(e.getValue()));
                            args.add(e.getKey());
                        }
                        from += n;
                        ids += n;
                        if (ids == CHUNK) {
                            writes.add(run(keys, args));
                            keys = new ArrayList<>();
                            args = new ArrayList<>();
                            ids = 0;
                        }
                    }
                }
                if (!keys.isEmpty()) {
                    writes.add(run(keys, args));
                }
                scores.clear();
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .handle((ok, e) -> null);
        }

        private CompletableFuture<?> run(List<String> keys, List<String> args) {
            return topset.<Long>run(ScriptOutputType.INTEGER, keys.toArray(String[]::new), args.toArray(String[]::new))
                    .toCompletableFuture();
        }
    }

    /**
     * The {@code n} ids of {@code scope} ranked highest in the {@code period} bucket holding {@code at}, with their
     * counters from {@code hash(id, bucket)}: one {@code ZREVRANGE}, then an {@code HMGET} per id, pipelined.
     */
    CompletionStage<List<UsageRow>> top(
            UsageScope scope, Period period, Instant at, int n, BiFunction<String, String, String> hash) {
        String bucket = period.bucket(at);
        if (n <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        return redis.zrevrange(key(scope, period, bucket), 0, n - 1L).thenCompose(ids -> {
            List<String> hashes = new ArrayList<>(ids.size());
            for (String id : ids) {
                hashes.add(hash.apply(id, bucket));
            }
            return RedisUsageReads.of(redis, hashes).thenApply(counters -> {
                List<UsageRow> rows = new ArrayList<>(ids.size());
                for (int i = 0; i < ids.size(); i++) {
                    rows.add(new UsageRow(scope, ids.get(i), bucket, counters.get(i)));
                }
                return rows;
            });
        });
    }
}
