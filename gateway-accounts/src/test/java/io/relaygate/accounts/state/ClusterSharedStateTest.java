package io.relaygate.accounts.state;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.RedisServers;
import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The shared-state contract on a three-master Redis Cluster of its own (loopback, ports from the OS), through a {@code redis-cluster://} seed list. */
class ClusterSharedStateTest extends SharedStateContract {

    @TempDir
    static Path dir;

    static RedisServers redis;
    final String prefix = RedisSupport.uniquePrefix();
    private final List<Store> stores = new ArrayList<>();

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

    @AfterEach
    void closeStores() {
        stores.forEach(Store::close);
    }

    /** Each call is a new instance (its own store and connections) on this test's prefix. */
    @Override
    SharedState state() {
        Store store = StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dir, redis.url(), prefix), Map.of());
        stores.add(store);
        return store.state();
    }
}
