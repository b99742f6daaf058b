package io.relaygate.accounts;

import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.StoreConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

class RedisSchedulerTest extends SchedulerContract {

    private final String prefix = RedisSupport.uniquePrefix();

    @BeforeAll
    static void redisIsReachable() {
        RedisSupport.requireRedis();
    }

    @AfterEach
    void deleteOwnKeys() {
        RedisSupport.deleteKeys(prefix);
    }

    @Override
    Store openStore() {
        return StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dataDir, RedisSupport.url(), prefix), Map.of());
    }
}
