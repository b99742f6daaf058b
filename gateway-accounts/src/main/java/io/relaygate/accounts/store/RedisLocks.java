package io.relaygate.accounts.store;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.relaygate.accounts.Locks;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Locks in Redis: {@code SET key owner NX PX ttl} takes one, and a compare-and-delete script gives it back only if
 * the owner still holds it. Keys are {@code <prefix>{lock:<name>}}.
 */
final class RedisLocks implements Locks {

    private static final String UNLOCK =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String prefix;

    RedisLocks(RedisClusterAsyncCommands<String, String> redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    private String key(String name) {
        return prefix + "{lock:" + name + "}";
    }

    @Override
    public CompletionStage<Boolean> tryLock(String name, String owner, Duration ttl) {
        return redis.set(key(name), owner, SetArgs.Builder.nx().px(ttl.toMillis()))
                .thenApply("OK"::equals);
    }

    @Override
    public CompletionStage<Void> unlock(String name, String owner) {
        return redis.<Long>eval(UNLOCK, ScriptOutputType.INTEGER, new String[] {key(name)}, owner)
                .thenApply(n -> null);
    }
}
