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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A table of the Redis store: two hashes, {@code <prefix>{<collection>}:byId} (id → JSON record) and
 * {@code <prefix>{<collection>}:byName} (name → id), and for a kind with an alternate key a third,
 * {@code <prefix>{people}:bySubject} (subject → id). The hash tag puts both in one slot, so the Lua scripts that keep
 * them consistent also run on Redis Cluster (a script may only touch keys of one slot). A lookup by id, the hot path
 * of authentication, is a single {@code HGET}.
 */
final class RedisTable<T> implements Table<T> {

    /**
     * Builds the alternate-key index ({@code byAlternate}: alternate key → id) from the records once, for records
     * stored before the index existed; the empty field marks it built (no alternate key is empty). Scripts that read
     * or keep the index call it first; without an alternate field (ARGV) it does nothing.
     */
    private static final String INDEXED = """
            local function indexed(byId, byAlternate, field)
              if field == '' or redis.call('HEXISTS', byAlternate, '') == 1 then return end
              local all = redis.call('HGETALL', byId)
              for i = 1, #all, 2 do
                local v = cjson.decode(all[i + 1])[field]
                if type(v) == 'string' and v ~= '' then redis.call('HSETNX', byAlternate, v, all[i]) end
              end
              redis.call('HSET', byAlternate, '', 'built')
            end
            """;

    /**
     * KEYS: byId, byName, byAlternate. ARGV: id, name, json, alternate key ('' for none), alternate field ('' for
     * none). Returns {@code ok}, {@code name}, {@code id} or {@code alternate} (taken).
     */
    private static final String CREATE = INDEXED + """
            if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 'name' end
            if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'id' end
            indexed(KEYS[1], KEYS[3], ARGV[5])
            if ARGV[4] ~= '' and redis.call('HEXISTS', KEYS[3], ARGV[4]) == 1 then return 'alternate' end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
            if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[4], ARGV[1]) end
            return 'ok'
            """;

    /**
     * KEYS: byId, byName, byAlternate. ARGV as {@link #CREATE}. Returns {@code ok}, {@code missing}, {@code name} or
     * {@code alternate} (taken by another record). A rename drops the old name, and a new alternate key the old one,
     * read from the stored record (cjson is part of Redis' Lua environment).
     */
    private static final String UPDATE = INDEXED + """
            local old = redis.call('HGET', KEYS[1], ARGV[1])
            if not old then return 'missing' end
            local owner = redis.call('HGET', KEYS[2], ARGV[2])
            if owner and owner ~= ARGV[1] then return 'name' end
            indexed(KEYS[1], KEYS[3], ARGV[5])
            if ARGV[4] ~= '' then
              local holder = redis.call('HGET', KEYS[3], ARGV[4])
              if holder and holder ~= ARGV[1] then return 'alternate' end
            end
            local stored = cjson.decode(old)
            if stored['name'] ~= ARGV[2] then redis.call('HDEL', KEYS[2], stored['name']) end
            if ARGV[5] ~= '' then
              local was = stored[ARGV[5]]
              if type(was) == 'string' and was ~= '' and was ~= ARGV[4]
                  and redis.call('HGET', KEYS[3], was) == ARGV[1] then
                redis.call('HDEL', KEYS[3], was)
              end
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
            if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[4], ARGV[1]) end
            return 'ok'
            """;

    /** KEYS: byAlternate, byId. ARGV: alternate key, alternate field. Returns the JSON record or nil. */
    private static final String FIND_BY_ALTERNATE = INDEXED + """
            indexed(KEYS[2], KEYS[1], ARGV[2])
            local id = redis.call('HGET', KEYS[1], ARGV[1])
            if not id then return false end
            return redis.call('HGET', KEYS[2], id)
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
    private final String byAlternate;

    RedisTable(RedisClusterAsyncCommands<String, String> redis, String prefix, RecordCodec<T> codec) {
        this.redis = requireNonNull(redis, "redis");
        this.codec = requireNonNull(codec, "codec");
        String base = requireNonNull(prefix, "prefix") + "{" + codec.collection() + "}:";
        this.byId = base + "byId";
        this.byName = base + "byName";
        this.byAlternate = base + "by" + Character.toUpperCase(field(codec).charAt(0))
                + field(codec).substring(1);
    }

    /** The alternate field's name, or {@code alternate} for a kind without one (its index stays empty). */
    private static String field(RecordCodec<?> codec) {
        String f = codec.alternateField();
        return f == null ? "alternate" : f;
    }

    private CompletionStage<String> write(String script, T value) {
        String alternate = codec.alternate(value);
        String field = codec.alternateField();
        return redis.eval(
                script,
                ScriptOutputType.VALUE,
                new String[] {byId, byName, byAlternate},
                codec.id(value),
                codec.name(value),
                codec.write(value),
                alternate == null ? "" : alternate,
                field == null ? "" : field);
    }

    @Override
    public CompletionStage<T> create(T value) {
        return write(CREATE, value).thenApply(outcome -> {
            switch (outcome) {
                case "ok":
                    return value;
                case "name":
                    throw new DuplicateNameException(codec.what(), codec.name(value));
                case "alternate":
                    throw codec.alternateTaken(String.valueOf(codec.alternate(value)));
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
    public CompletionStage<Optional<T>> findByAlternate(String key) {
        String field = codec.alternateField();
        if (field == null || key.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletionStage<String> result =
                redis.eval(FIND_BY_ALTERNATE, ScriptOutputType.VALUE, new String[] {byAlternate, byId}, key, field);
        // the index names the record; the record itself must still say so
        return result.thenApply(
                json -> Optional.ofNullable(json).map(codec::read).filter(t -> key.equals(codec.alternate(t))));
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
        return write(UPDATE, value).thenApply(outcome -> {
            switch (outcome) {
                case "ok":
                    return value;
                case "name":
                    throw new DuplicateNameException(codec.what(), codec.name(value));
                case "alternate":
                    throw codec.alternateTaken(String.valueOf(codec.alternate(value)));
                default:
                    throw new GatewayException(
                            ErrorKind.NOT_FOUND, codec.what() + " id: " + codec.id(value) + " not found");
            }
        });
    }
}
