package io.relaygate.server;

import io.relaygate.server.cli.RedisKeys;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The console's API on the Redis store (a fresh key prefix per test). */
class RedisConsoleApiIT extends ConsoleApiContract {

    @RegisterExtension
    final RedisKeys redis = new RedisKeys();

    @Override
    GatewayHarness start() throws Exception {
        return GatewayHarness.builder()
                .config(c -> c.withStore(redis.store(c.store().dataDir())))
                .start();
    }
}
