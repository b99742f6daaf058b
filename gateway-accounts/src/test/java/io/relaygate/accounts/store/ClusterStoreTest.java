package io.relaygate.accounts.store;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on a three-master Redis Cluster of its own (loopback, ports from the OS). */
class ClusterStoreTest extends RedisTopologyStoreTest {

    @RegisterExtension
    static final RedisTopology REDIS = RedisTopology.cluster();

    @Override
    RedisTopology topology() {
        return REDIS;
    }
}
