package io.relaygate.core.config;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where state lives.
 *
 * @param type {@code local} (embedded, persisted under {@code dataDir}) or {@code redis}
 * @param dataDir folder of the embedded store and of the generated encryption key
 * @param redisUrl {@code redis://…}, {@code rediss://…}, {@code redis-sentinel://…} or {@code redis-cluster://host:port,…};
 *     required for {@code redis}
 * @param keyPrefix prefix of every Redis key, so several deployments or test runs share one Redis
 */
public record StoreConfig(
        String type, Path dataDir, @Nullable String redisUrl, String keyPrefix) {

    public static final String LOCAL = "local";
    public static final String REDIS = "redis";
    public static final String DEFAULT_DATA_DIR = "./data";
    public static final String DEFAULT_KEY_PREFIX = "relaygate:";

    public StoreConfig {
        if (!LOCAL.equals(type) && !REDIS.equals(type)) {
            throw new ConfigException("store.type: " + type + " (expected: local or redis)");
        }
        if (REDIS.equals(type)) {
            Validation.notBlank("store.redisUrl (REDIS_URL)", redisUrl);
            if (!redisUrl.startsWith("redis://")
                    && !redisUrl.startsWith("rediss://")
                    && !redisUrl.startsWith("redis-sentinel://")
                    && !redisUrl.startsWith("redis-socket://")
                    && !redisUrl.startsWith("redis-cluster://")
                    && !redisUrl.startsWith("rediss-cluster://")) {
                throw new ConfigException(
                        "store.redisUrl (REDIS_URL): "
                                + io.relaygate.core.Secrets.redactUrl(redisUrl)
                                + " (expected: redis://host:port, rediss://…, redis-sentinel://…#master or redis-cluster://host:port,host:port…)");
            }
        }
        Validation.notBlank("store.keyPrefix", keyPrefix);
    }
}
