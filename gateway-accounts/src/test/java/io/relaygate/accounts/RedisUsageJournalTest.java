package io.relaygate.accounts;

import io.relaygate.accounts.state.SharedState;
import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class RedisUsageJournalTest extends UsageJournalContract {

    private final String prefix = RedisSupport.uniquePrefix();

    @TempDir
    Path dataDir;

    private Store store;

    @BeforeAll
    static void redisIsReachable() {
        RedisSupport.requireRedis();
    }

    @AfterEach
    void closeAndDeleteOwnKeys() {
        if (store != null) {
            store.close();
        }
        RedisSupport.deleteKeys(prefix);
    }

    @Override
    SharedState state() {
        if (store == null) {
            store = StoreFactory.open(
                    new StoreConfig(StoreConfig.REDIS, dataDir, RedisSupport.url(), prefix), Map.of());
        }
        return store.state();
    }
}
