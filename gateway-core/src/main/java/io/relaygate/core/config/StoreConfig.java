package io.relaygate.core.config;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where state lives.
 *
 * @param type {@code local} (embedded, persisted under {@code dataDir}) or {@code redis}
 * @param dataDir folder of the embedded store and of the generated encryption key
 * @param redisUrl {@code redis://…}, {@code rediss://…}, {@code redis-sentinel://…} or {@code redis-cluster://host:port,…};
 *     required for {@code redis}
 * @param keyPrefix prefix of every Redis key, so several deployments or test runs share one Redis
 * @param localAdmission on Redis, how long an event loop's view of a key's standing lets it admit the key's requests
 *     itself while they are far from every limit (the admission still reaches Redis, a few milliseconds later);
 *     zero: Redis decides every admission before the request goes on
 */
public record StoreConfig(
        String type, Path dataDir, @Nullable String redisUrl, String keyPrefix, Duration localAdmission) {

    public static final String LOCAL = "local";
    public static final String REDIS = "redis";
    public static final String DEFAULT_DATA_DIR = "./data";
    public static final String DEFAULT_KEY_PREFIX = "relaygate:";

    /** Four times the spend bound a loop's parked admissions wait at most, so a busy key's view stays usable. */
    public static final Duration DEFAULT_LOCAL_ADMISSION = Duration.ofMillis(20);

    /** A store with the default {@link #localAdmission}. */
    public StoreConfig(String type, Path dataDir, @Nullable String redisUrl, String keyPrefix) {
        this(type, dataDir, redisUrl, keyPrefix, DEFAULT_LOCAL_ADMISSION);
    }

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
        java.util.Objects.requireNonNull(localAdmission, "localAdmission");
        if (localAdmission.isNegative() || localAdmission.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new ConfigException("store.localAdmission: " + io.relaygate.core.Durations.format(localAdmission)
                    + " (expected: 0s to 1s; 0s turns it off)");
        }
    }
}
