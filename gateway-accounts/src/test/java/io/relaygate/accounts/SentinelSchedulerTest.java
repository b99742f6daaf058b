package io.relaygate.accounts;

import io.relaygate.accounts.store.RedisTopology;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scheduler contract on a master watched by a Sentinel of its own (loopback, ports from the OS). */
class SentinelSchedulerTest extends RedisTopologySchedulerTest {

    @RegisterExtension
    static final RedisTopology REDIS = RedisTopology.sentinel();

    @Override
    RedisTopology topology() {
        return REDIS;
    }
}
