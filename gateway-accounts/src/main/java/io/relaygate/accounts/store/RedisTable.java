package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.relaygate.accounts.DuplicateNameException;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A table of the Redis store: two hashes, {@code <prefix>{<collection>}:byId} (id → JSON record) and
 * {@code <prefix>{<collection>}:byName} (name → id). The hash tag puts both in one slot, so the Lua scripts that keep
 * them consistent also run on Redis Cluster (a script may only touch keys of one slot). A lookup by id, the hot path
 * of authentication, is a single {@code HGET}.
 */
final class RedisTable<T> implements Table<T> {

    /** KEYS: byId, byName. ARGV: id, name, json. Returns {@code ok}, {@code name} or {@code id} (taken). */
    private static final String CREATE = """
            if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 'name' end
            if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'id' end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
            return 'ok'
            """;

    /**
     * KEYS: byId, byName. ARGV: id, name, json. Returns {@code ok}, {@code missing} or {@code name} (taken by another
     * record). A rename drops the old name, read from the stored record (cjson is part of Redis' Lua environment).
     */
    private static final String UPDATE = """
            local old = redis.call('HGET', KEYS[1], ARGV[1])
            if not old then return 'missing' end
            local owner = redis.call('HGET', KEYS[2], ARGV[2])
            if owner and owner ~= ARGV[1] then return 'name' end
            local oldName = cjson.decode(old)['name']
            if oldName ~= ARGV[2] then redis.call('HDEL', KEYS[2], oldName) end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
            return 'ok'
            """;

    /** KEYS: byName, byId. ARGV: name. Returns the JSON record or nil. */
    private static final String FIND_BY_NAME = """
            local id = redis.call('HGET', KEYS[1], ARGV[1])
            if not id then return false end
            return redis.call('HGET', KEYS[2], id)
            """;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final RecordCodec<T> codec;
    private final String byId;
    private final String byName;

    RedisTable(RedisClusterAsyncCommands<String, String> redis, String prefix, RecordCodec<T> codec) {
        this.redis = requireNonNull(redis, "redis");
        this.codec = requireNonNull(codec, "codec");
        String base = requireNonNull(prefix, "prefix") + "{" + codec.collection() + "}:";
        this.byId = base + "byId";
        this.byName = base + "byName";
    }

    @Override
    public CompletionStage<T> create(T value) {
        String json = codec.write(value);
        CompletionStage<String> result = redis.eval(
                CREATE, ScriptOutputType.VALUE, new String[] {byId, byName}, codec.id(value), codec.name(value), json);
        return result.thenApply(outcome -> {
            switch (outcome) {
                case "ok":
                    return value;
                case "name":
                    throw new DuplicateNameException(codec.what(), codec.name(value));
                default:
                    throw new DuplicateNameException(codec.what() + " id", codec.id(value));
            }
        });
    }

    @Override
    public CompletionStage<Optional<T>> findById(String id) {
        return redis.hget(byId, id).thenApply(json -> Optional.ofNullable(json).map(codec::read));
    }

    @Override
    public CompletionStage<Optional<T>> findByName(String name) {
        CompletionStage<String> result =
                redis.eval(FIND_BY_NAME, ScriptOutputType.VALUE, new String[] {byName, byId}, name);
        return result.thenApply(json -> Optional.ofNullable(json).map(codec::read));
    }

    @Override
    public CompletionStage<List<T>> list() {
        return redis.hvals(byId).thenApply(values -> {
            List<T> rows = new ArrayList<>(values.size());
            for (String json : values) {
                rows.add(codec.read(json));
            }
            rows.sort(Comparator.comparing(codec::name));
            return List.copyOf(rows);
        });
    }

    @Override
    public CompletionStage<T> update(T value) {
        String json = codec.write(value);
        CompletionStage<String> result = redis.eval(
                UPDATE, ScriptOutputType.VALUE, new String[] {byId, byName}, codec.id(value), codec.name(value), json);
        return result.thenApply(outcome -> {
            switch (outcome) {
                case "ok":
                    return value;
                case "name":
                    throw new DuplicateNameException(codec.what(), codec.name(value));
                default:
                    throw new GatewayException(
                            ErrorKind.NOT_FOUND, codec.what() + " id: " + codec.id(value) + " not found");
            }
        });
    }
}
