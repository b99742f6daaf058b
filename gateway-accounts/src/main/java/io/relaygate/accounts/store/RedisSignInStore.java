package io.relaygate.accounts.store;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.people.SignInStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sign-in state in Redis: one string per record, {@code <prefix>{signin}:<kind>:<id>}, expiring with its time to
 * live. The shared hash tag keeps every record in one slot, so the listings' {@code MGET} works on Cluster too.
 * Compare-and-set and take are Lua scripts (one step each, on any Redis version the store supports).
 */
final class RedisSignInStore implements SignInStore {

    /** KEYS: the record. ARGV: expected, next, ttl millis. Returns 1 when replaced. */
    private static final String REPLACE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0
            """;

    /** KEYS: the record. Returns its value, deleted, or nil. */
    private static final String TAKE = """
            local v = redis.call('GET', KEYS[1])
            if v then redis.call('DEL', KEYS[1]) end
            return v
            """;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String base;
    /** Told of a session's end or rotation, so every instance drops what it checked of it. */
    private final ChangeFeed changes;

    RedisSignInStore(RedisClusterAsyncCommands<String, String> redis, String prefix, ChangeFeed changes) {
        this.redis = redis;
        this.changes = changes;
        this.base = prefix + "{signin}:";
    }

    private String key(Kind kind, String id) {
        return base + kind.wireName() + ":" + id;
    }

    private static String millis(Duration ttl) {
        return Long.toString(Math.max(1, ttl.toMillis()));
    }

    /** {@code write}, then a change of session {@code id} when it is one and {@code changed} says it changed. */
    private <T> CompletionStage<T> told(
            Kind kind, String id, CompletionStage<T> write, java.util.function.Predicate<T> changed) {
        if (kind != Kind.SESSION) {
            return write;
        }
        return write.thenCompose(v -> changed.test(v)
                ? changes.after(CompletableFuture.completedFuture(v), x -> StoreChange.session(id))
                : CompletableFuture.completedFuture(v));
    }

    @Override
    public CompletionStage<Void> put(Kind kind, String id, String value, Duration ttl) {
        return redis.set(key(kind, id), value, SetArgs.Builder.px(Math.max(1, ttl.toMillis())))
                .thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Optional<String>> get(Kind kind, String id) {
        return redis.get(key(kind, id)).thenApply(Optional::ofNullable);
    }

    @Override
    public CompletionStage<Boolean> replace(Kind kind, String id, String expected, String next, Duration ttl) {
        CompletionStage<Long> done = redis.eval(
                REPLACE, ScriptOutputType.INTEGER, new String[] {key(kind, id)}, expected, next, millis(ttl));
        return told(kind, id, done.thenApply(n -> n == 1L), won -> won);
    }

    @Override
    public CompletionStage<Optional<String>> take(Kind kind, String id) {
        CompletionStage<String> taken = redis.eval(TAKE, ScriptOutputType.VALUE, new String[] {key(kind, id)});
        return told(kind, id, taken.thenApply(Optional::ofNullable), Optional::isPresent);
    }

    @Override
    public CompletionStage<Boolean> delete(Kind kind, String id) {
        return told(kind, id, redis.del(key(kind, id)).thenApply(n -> n > 0), gone -> gone);
    }

    @Override
    public CompletionStage<Map<String, String>> all(Kind kind) {
        return scan(kind, ScanCursor.INITIAL, new TreeMap<>());
    }

    private CompletionStage<Map<String, String>> scan(Kind kind, ScanCursor cursor, Map<String, String> into) {
        String stem = base + kind.wireName() + ":";
        return redis.scan(cursor, ScanArgs.Builder.matches(stem + "*").limit(500))
                .thenCompose(page -> {
                    List<String> keys = page.getKeys();
                    CompletionStage<List<KeyValue<String, String>>> values = keys.isEmpty()
                            ? CompletableFuture.completedFuture(List.of())
                            : redis.mget(keys.toArray(new String[0]));
                    return values.thenCompose(kvs -> {
                        for (KeyValue<String, String> kv : kvs) {
                            if (kv.hasValue()) {
                                into.put(kv.getKey().substring(stem.length()), kv.getValue());
                            }
                        }
                        return page.isFinished() ? CompletableFuture.completedFuture(into) : scan(kind, page, into);
                    });
                });
    }
}
