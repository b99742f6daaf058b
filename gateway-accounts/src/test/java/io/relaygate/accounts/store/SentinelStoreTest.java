package io.relaygate.accounts.store;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on a master watched by a Sentinel of its own (loopback, ports from the OS). */
class SentinelStoreTest extends RedisTopologyStoreTest {

    @RegisterExtension
    static final RedisTopology REDIS = RedisTopology.sentinel();

    @Override
    RedisTopology topology() {
        return REDIS;
    }
}
