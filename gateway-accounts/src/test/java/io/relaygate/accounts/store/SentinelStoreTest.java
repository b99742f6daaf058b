package io.relaygate.accounts.store;

import io.relaygate.accounts.Store;
import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a master watched by a Sentinel of its own (loopback, ports from the OS), through a {@code redis-sentinel://} URL. */
class SentinelStoreTest extends StoreContract {

    @TempDir
    static Path dir;

    private static RedisServers redis;
    private final String prefix = RedisSupport.uniquePrefix();

    @BeforeAll
    static void startRedis() {
        redis = RedisServers.sentinel(dir);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    Store openStore(Map<String, String> env) {
        return StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dataDir, redis.url(), prefix), env);
    }

    @Override
    String rawState() {
        return redis.rawState(prefix);
    }

    @Override
    void advancePastRecheck() {
        // every Redis read goes to Redis: nothing to wait for
    }

    @Override
    io.relaygate.accounts.ledger.RequestRecords boundedRequests(int keep) {
        return redisRequests(redis.url(), prefix, keep);
    }
}
