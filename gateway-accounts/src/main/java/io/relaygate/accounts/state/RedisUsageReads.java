package io.relaygate.accounts.state;

import io.lettuce.core.KeyValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Redis store's usage reads: every id of a scope in one bucket (the scope's index set, then a pipelined
 * {@code HGETALL} per id), or one id's usage hashes (a pipelined {@code HMGET} per bucket, nothing else).
 */
final class RedisUsageReads {

    private RedisUsageReads() {}

    /** The counters of each id in {@code ids}' hash ({@code hash(id)}) of one bucket, ids in order, empty ones left out. */
    static CompletionStage<List<UsageRow>> rows(
            RedisClusterAsyncCommands<String, String> redis,
            String indexKey,
            UsageScope scope,
            String bucket,
            java.util.function.Function<String, String> hash) {
        return redis.smembers(indexKey).thenCompose(ids -> {
            List<String> sorted = new ArrayList<>(new TreeSet<>(ids));
            List<CompletableFuture<Map<String, String>>> reads = new ArrayList<>(sorted.size());
            for (String id : sorted) {
                reads.add(redis.hgetall(hash.apply(id)).toCompletableFuture());
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                    .thenApply(done -> {
                        List<UsageRow> rows = new ArrayList<>(sorted.size());
                        for (int i = 0; i < sorted.size(); i++) {
                            Map<String, String> h = reads.get(i).join();
                            if (h.isEmpty()) {
                                continue;
                            }
                            long[] v = new long[UsageCounters.FIELDS.length];
                            for (int f = 0; f < v.length; f++) {
                                String s = h.get(UsageCounters.FIELDS[f]);
                                v[f] = s == null ? 0 : Long.parseLong(s);
                            }
                            rows.add(new UsageRow(scope, sorted.get(i), bucket, UsageCounters.fromValues(v)));
                        }
                        return rows;
                    });
        });
    }

    /** The counters in each of {@code hashes} ({@link UsageCounters#ZERO} for a missing one): one HMGET each, pipelined. */
    static CompletionStage<List<UsageCounters>> of(
            RedisClusterAsyncCommands<String, String> redis, List<String> hashes) {
        List<CompletableFuture<List<KeyValue<String, String>>>> reads = new ArrayList<>(hashes.size());
        for (String h : hashes) {
            reads.add(redis.hmget(h, UsageCounters.FIELDS).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<UsageCounters> out = new ArrayList<>(reads.size());
            for (CompletableFuture<List<KeyValue<String, String>>> r : reads) {
                List<KeyValue<String, String>> fields = r.join();
                long[] v = new long[UsageCounters.FIELDS.length];
                for (int f = 0; f < v.length && f < fields.size(); f++) {
                    v[f] = fields.get(f).hasValue()
                            ? Long.parseLong(fields.get(f).getValue())
                            : 0;
                }
                out.add(UsageCounters.fromValues(v));
            }
            return out;
        });
    }
}
