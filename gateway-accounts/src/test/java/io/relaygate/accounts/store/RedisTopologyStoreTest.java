package io.relaygate.accounts.store;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.ledger.RequestRecords;
import io.relaygate.core.config.StoreConfig;
import java.util.Map;

/** The store contract on a Redis deployment of the subclass's own ({@link RedisTopology}). */
abstract class RedisTopologyStoreTest extends StoreContract {

    private final String prefix = RedisSupport.uniquePrefix();

    abstract RedisTopology topology();

    @Override
    Store openStore(Map<String, String> env) {
        return StoreFactory.open(
                new StoreConfig(StoreConfig.REDIS, dataDir, topology().url(), prefix), env);
    }

    @Override
    String rawState() {
        return topology().rawState(prefix);
    }

    @Override
    void advancePastRecheck() {
        // every Redis read goes to Redis: nothing to wait for
    }

    @Override
    RequestRecords boundedRequests(int keep) {
        return redisRequests(topology().url(), prefix, keep);
    }
}
