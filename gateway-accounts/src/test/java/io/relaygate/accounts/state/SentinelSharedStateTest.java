package io.relaygate.accounts.state;

import io.relaygate.accounts.store.RedisTopology;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared-state contract on a master watched by a Sentinel of its own (loopback, ports from the OS). */
class SentinelSharedStateTest extends RedisTopologySharedStateTest {

    @RegisterExtension
    static final RedisTopology REDIS = RedisTopology.sentinel();

    @Override
    RedisTopology topology() {
        return REDIS;
    }
}
