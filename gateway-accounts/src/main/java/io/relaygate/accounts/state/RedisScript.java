package io.relaygate.accounts.state;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.ObjectOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script run by its SHA, loaded again (EVAL) when Redis lost its script cache.
 *
 * <p>EVALSHA is sent with its arguments built here ({@link #evalshaArgs}) rather than by Lettuce's {@code evalsha}: the
 * codec path encodes each key and value into a pooled buffer of its own first, to learn its length, then copies it;
 * for the 40-odd arguments of a group commit's call that was 7 % of the Redis arm's event-loop CPU (issue 21, an
 * async-profiler profile of the costs phase). The EVAL fallback, rare, keeps Lettuce's own command.
 */
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
        redis.dispatch(CommandType.EVALSHA, RedisScript.<T>output(type), evalshaArgs(sha, keys, args))
                .whenComplete((v, e) -> {
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

    /**
     * EVALSHA's arguments, each written straight into the command's buffer as UTF-8. The first key stays a key: a
     * Cluster routes the command by it (the others are in its slot, as every script's keys are).
     */
    static CommandArgs<String, String> evalshaArgs(String sha, String[] keys, String[] values) {
        CommandArgs<String, String> a = new CommandArgs<>(StringCodec.UTF8);
        a.add(sha).add(keys.length);
        if (keys.length > 0) {
            a.addKey(keys[0]);
        }
        for (int i = 1; i < keys.length; i++) {
            a.add(keys[i]);
        }
        for (String v : values) {
            a.add(v);
        }
        return a;
    }

    /** The output Lettuce's own {@code evalsha} reads a reply of {@code type} with. */
    @SuppressWarnings("unchecked")
    private static <T> CommandOutput<String, String, T> output(ScriptOutputType type) {
        StringCodec c = StringCodec.UTF8;
        return (CommandOutput<String, String, T>)
                switch (type) {
                    case BOOLEAN -> new BooleanOutput<>(c);
                    case INTEGER -> new IntegerOutput<>(c);
                    case STATUS -> new StatusOutput<>(c);
                    case MULTI -> new NestedMultiOutput<>(c);
                    case VALUE -> new ValueOutput<>(c);
                    case OBJECT -> new ObjectOutput<>(c);
                };
    }
}
