package io.relaygate.accounts;

import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.accounts.store.RedisTopology;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.StoreConfig;
import java.util.Map;

/** The scheduler contract on a Redis deployment of the subclass's own ({@link RedisTopology}). */
abstract class RedisTopologySchedulerTest extends SchedulerContract {

    private final String prefix = RedisSupport.uniquePrefix();

    abstract RedisTopology topology();

    @Override
    Store openStore() {
        return StoreFactory.open(
                new StoreConfig(StoreConfig.REDIS, dataDir, topology().url(), prefix), Map.of());
    }
}
