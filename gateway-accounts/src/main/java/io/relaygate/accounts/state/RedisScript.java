package io.relaygate.accounts.state;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A Lua script run by its SHA, loaded again (EVAL) when Redis lost its script cache. */
final class RedisScript {
    private final RedisClusterAsyncCommands<String, String> redis;
    private final String source;
    private final String sha;

    RedisScript(RedisClusterAsyncCommands<String, String> redis, String source) {
        this.redis = redis;
        this.source = source;
        this.sha = Sha1.hex(source);
    }

    <T> CompletionStage<T> run(ScriptOutputType type, String[] keys, String[] args) {
        CompletableFuture<T> out = new CompletableFuture<>();
        redis.<T>evalsha(sha, type, keys, args).whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
            } else if (e instanceof RedisNoScriptException
                    || (e.getCause() instanceof RedisNoScriptException)
                    || String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                redis.<T>eval(source, type, keys, args).whenComplete((v2, e2) -> {
                    if (e2 == null) {
                        out.complete(v2);
                    } else {
                        out.completeExceptionally(e2);
                    }
                });
            } else {
                out.completeExceptionally(e);
            }
        });
        return out;
    }
}
