package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisCliTest extends CliContract {

    private final String prefix = CliRedis.uniquePrefix();

    @BeforeAll
    static void redisIsReachable() {
        CliRedis.requireRedis();
    }

    @AfterEach
    void deleteOwnKeys() {
        CliRedis.deleteKeys(prefix);
    }

    @Override
    Map<String, String> env() {
        return Map.of(
                "REDIS_URL", CliRedis.url(),
                "RELAYGATE_REDIS_PREFIX", prefix,
                "RELAYGATE_DATA_DIR", dataDir.toString());
    }

    @Test
    void theCommandsWriteUnderTheConfiguredPrefix() {
        assertThat(run("keys", "create", "--name", "alice").code()).isZero();

        String id = CliRedis.with(redis -> redis.hget(prefix + "{keys}:byName", "alice"));
        assertThat(id).as("the key landed in this run's Redis keys").isNotNull().hasSize(10);
    }
}
