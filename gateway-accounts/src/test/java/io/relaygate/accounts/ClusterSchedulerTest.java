package io.relaygate.accounts;

import io.relaygate.accounts.store.RedisTopology;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scheduler contract on a three-master Redis Cluster of its own (loopback, ports from the OS). */
class ClusterSchedulerTest extends RedisTopologySchedulerTest {

    @RegisterExtension
    static final RedisTopology REDIS = RedisTopology.cluster();

    @Override
    RedisTopology topology() {
        return REDIS;
    }
}
