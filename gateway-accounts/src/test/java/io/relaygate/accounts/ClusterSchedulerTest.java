package io.relaygate.accounts;

import io.relaygate.accounts.store.RedisServers;
import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler contract on a three-master Redis Cluster of its own (loopback, ports from the OS), through a {@code redis-cluster://} seed list. */
class ClusterSchedulerTest extends SchedulerContract {

    @TempDir
    static Path dir;

    private static RedisServers redis;
    private final String prefix = RedisSupport.uniquePrefix();

    @BeforeAll
    static void startRedis() {
        redis = RedisServers.cluster(dir, 3);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    Store openStore() {
        return StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dataDir, redis.url(), prefix), Map.of());
    }
}
