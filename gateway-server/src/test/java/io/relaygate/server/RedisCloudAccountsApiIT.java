package io.relaygate.server;

import io.relaygate.core.config.StoreConfig;
import io.relaygate.server.cli.CliRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** Cloud accounts through the admin API on the Redis store (a fresh key prefix per test). */
class RedisCloudAccountsApiIT extends CloudAccountsApiContract {

    private final String prefix = CliRedis.uniquePrefix();

    @BeforeAll
    static void redisIsReachable() {
        CliRedis.requireRedis();
    }

    @Override
    GatewayHarness start() throws Exception {
        return GatewayHarness.builder()
                .config(c ->
                        c.withStore(new StoreConfig(StoreConfig.REDIS, c.store().dataDir(), CliRedis.url(), prefix)))
                .start();
    }

    @AfterEach
    void deleteOwnKeys() {
        CliRedis.deleteKeys(prefix);
    }
}
