package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.relaygate.accounts.Documents;
import io.relaygate.accounts.StoreChange;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@link Documents} on Redis: one string per document, {@code <prefix>doc:<name>}; a write publishes its change. */
final class RedisDocuments implements Documents {

    /** ARGV: whether a value is expected (1/0), the expected value, the new value; 1 when written. */
    private static final String COMPARE_AND_SET = "local cur = redis.call('GET', KEYS[1])\n"
            + "if ARGV[1] == '1' then if cur ~= ARGV[2] then return 0 end elseif cur then return 0 end\n"
            + "redis.call('SET', KEYS[1], ARGV[3])\n"
            + "return 1\n";

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String prefix;
    private final ChangeFeed changes;

    RedisDocuments(RedisClusterAsyncCommands<String, String> redis, String prefix, ChangeFeed changes) {
        this.redis = requireNonNull(redis, "redis");
        this.prefix = requireNonNull(prefix, "prefix");
        this.changes = requireNonNull(changes, "changes");
    }

    @Override
    public CompletionStage<Optional<String>> get(String name) {
        return redis.get(key(name)).thenApply(Optional::ofNullable);
    }

    @Override
    public CompletionStage<Void> put(String name, String text) {
        requireNonNull(text, "text");
        String key = key(name);
        return changes.after(redis.set(key, text), ok -> new StoreChange(Documents.changeKind(name), null))
                .thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Boolean> replace(String name, Optional<String> expected, String text) {
        requireNonNull(text, "text");
        CompletionStage<Long> swap = redis.eval(
                COMPARE_AND_SET,
                ScriptOutputType.INTEGER,
                new String[] {key(name)},
                expected.isPresent() ? "1" : "0",
                expected.orElse(""),
                text);
        return swap.thenCompose(n -> n == 1L
                ? changes.after(
                        CompletableFuture.completedFuture(true),
                        ok -> new StoreChange(Documents.changeKind(name), null))
                : CompletableFuture.completedFuture(false));
    }

    @Override
    public CompletionStage<Void> remove(String name) {
        String key = key(name);
        return changes.after(redis.del(key), n -> new StoreChange(Documents.changeKind(name), null))
                .thenApply(n -> null);
    }

    private String key(String name) {
        Documents.changeKind(name); // refuses an unknown name before any command
        return prefix + "doc:" + name;
    }
}
