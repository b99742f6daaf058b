package io.relaygate.accounts.store;

import io.relaygate.accounts.Store;
import io.relaygate.core.config.StoreConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

class RedisSignInStoreTest extends SignInStoreContract {

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
    Store openStore(Map<String, String> env) {
        return StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dataDir, RedisSupport.url(), prefix), env);
    }

    @Override
    String rawState() {
        return RedisSupport.rawState(prefix);
    }
}
