package io.relaygate.accounts.store;

import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.relaygate.accounts.AdminStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The console's sign-in state in Redis, under {@code <prefix>{admin}:…} (one hash slot, so the few multi-key commands
 * work on Cluster too): {@code password} (no expiry), {@code session:<digest>} (expiring with the session) and
 * {@code failures:<name>} (a counter expiring with its window).
 */
final class RedisAdminStore implements AdminStore {

    /** INCR, and start the window's expiry on the first failure only. */
    private static final String COUNT =
            "local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n";

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String base;

    RedisAdminStore(RedisClusterAsyncCommands<String, String> redis, String prefix) {
        this.redis = redis;
        this.base = prefix + "{admin}:";
    }

    @Override
    public CompletionStage<Optional<String>> passwordHash() {
        return redis.get(base + "password").thenApply(Optional::ofNullable);
    }

    @Override
    public CompletionStage<Void> setPasswordHash(String hash) {
        return redis.set(base + "password", hash).thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Boolean> initPasswordHash(String hash) {
        return redis.set(base + "password", hash, SetArgs.Builder.nx()).thenApply("OK"::equals);
    }

    @Override
    public CompletionStage<Void> putSession(String id, String value, Duration ttl) {
        return redis.set(base + "session:" + id, value, SetArgs.Builder.px(Math.max(1, ttl.toMillis())))
                .thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Optional<String>> session(String id) {
        return redis.get(base + "session:" + id).thenApply(Optional::ofNullable);
    }

    @Override
    public CompletionStage<Void> deleteSession(String id) {
        return redis.del(base + "session:" + id).thenApply(n -> null);
    }

    @Override
    public CompletionStage<Void> deleteAllSessions() {
        return deleteFrom(ScanCursor.INITIAL);
    }

    private CompletionStage<Void> deleteFrom(ScanCursor cursor) {
        ScanArgs match = ScanArgs.Builder.matches(base + "session:*").limit(500);
        return redis.scan(cursor, match).thenCompose(page -> {
            List<String> keys = page.getKeys();
            CompletionStage<Long> deleted =
                    keys.isEmpty() ? CompletableFuture.completedFuture(0L) : redis.del(keys.toArray(new String[0]));
            return deleted.thenCompose(
                    n -> page.isFinished() ? CompletableFuture.completedFuture(null) : deleteFrom(page));
        });
    }

    @Override
    public CompletionStage<Long> countFailure(String name, Duration window) {
        return redis.<Long>eval(
                COUNT,
                ScriptOutputType.INTEGER,
                new String[] {base + "failures:" + name},
                Long.toString(Math.max(1, window.toMillis())));
    }

    @Override
    public CompletionStage<Long> failures(String name) {
        return redis.get(base + "failures:" + name).thenApply(v -> v == null ? 0L : Long.parseLong(v));
    }

    @Override
    public CompletionStage<Void> clearFailures(String name) {
        return redis.del(base + "failures:" + name).thenApply(n -> null);
    }
}
