package io.relaygate.server.cli;

import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test's own part of the shared Redis ({@link CliRedis}): a fresh key prefix per test instance, Redis required
 * before each test (a missing one fails, never skips) and the prefix's keys deleted after it. Registered on an
 * instance field with {@code @RegisterExtension}.
 */
public final class RedisKeys implements BeforeEachCallback, AfterEachCallback {

    private final String prefix = CliRedis.uniquePrefix();

    public String prefix() {
        return prefix;
    }

    /** The Redis store under this test's prefix, its local files in {@code dataDir}. */
    public StoreConfig store(Path dataDir) {
        return new StoreConfig(StoreConfig.REDIS, dataDir, CliRedis.url(), prefix);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        CliRedis.requireRedis();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        CliRedis.deleteKeys(prefix);
    }
}
