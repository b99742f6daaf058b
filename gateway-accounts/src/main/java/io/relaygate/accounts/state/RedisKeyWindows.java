package io.relaygate.accounts.state;

import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Reads a key's admission windows from the keys {@code admit.lua} and {@code usage.lua} keep (all under the key's hash
 * tag): the request and token window counters ({@code rw:<start>}, {@code tw:<start>}) and the lease set, whose scores
 * are expiries. At most three commands, pipelined, for the console only.
 */
final class RedisKeyWindows {

    private RedisKeyWindows() {}

    static CompletionStage<KeyWindows> read(
            RedisClusterAsyncCommands<String, String> redis, String tag, KeyRules rules, Instant now) {
        CompletableFuture<KeyWindows.@Nullable Window> requests =
                window(redis, tag + "rw:", rules.maxRequests() == null ? null : rules.requestWindow(), now);
        CompletableFuture<KeyWindows.@Nullable Window> tokens =
                window(redis, tag + "tw:", rules.maxTokens() == null ? null : rules.tokenWindow(), now);
        CompletableFuture<@Nullable Long> leases = rules.maxConcurrency() == null
                ? CompletableFuture.completedFuture(null)
                : redis.zcount(tag + "lease", Range.create((double) now.toEpochMilli() + 1, Double.POSITIVE_INFINITY))
                        .toCompletableFuture()
                        .thenApply(n -> n);
        return CompletableFuture.allOf(requests, tokens, leases)
                .thenApply(done -> new KeyWindows(requests.join(), tokens.join(), leases.join()));
    }

    private static CompletableFuture<KeyWindows.@Nullable Window> window(
            RedisClusterAsyncCommands<String, String> redis, String prefix, @Nullable Duration length, Instant now) {
        if (length == null) {
            return CompletableFuture.completedFuture(null);
        }
        long start = AdmissionRequest.windowStart(now, length);
        Instant end = Instant.ofEpochMilli(start + length.toMillis());
        return redis.get(prefix + start)
                .toCompletableFuture()
                .thenApply(v -> new KeyWindows.Window(v == null ? 0 : Long.parseLong(v), end));
    }
}
