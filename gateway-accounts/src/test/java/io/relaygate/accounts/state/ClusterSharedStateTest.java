package io.relaygate.accounts.state;

import io.relaygate.accounts.store.RedisTopology;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared-state contract on a three-master Redis Cluster of its own (loopback, ports from the OS). */
class ClusterSharedStateTest extends RedisTopologySharedStateTest {

    @RegisterExtension
    static final RedisTopology REDIS = RedisTopology.cluster();

    @Override
    RedisTopology topology() {
        return REDIS;
    }
}
