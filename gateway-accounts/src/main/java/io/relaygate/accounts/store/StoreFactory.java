package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.KeyHasher;
import io.relaygate.accounts.Store;
import io.relaygate.core.config.StoreConfig;
import java.util.Map;

/** Opens the store the config names; the server ({@code serve}) and the admin commands both start here. */
public final class StoreFactory {

    private StoreFactory() {}

    /**
     * Opens the {@code local} store under {@code config.dataDir()} or connects to {@code config.redisUrl()}, with the
     * credential key from {@code env} ({@code RELAYGATE_SECRET_KEY}) or the data folder. Blocks while connecting:
     * call it at start-up, not on an event loop.
     *
     * @throws io.relaygate.accounts.StoreException when the store cannot be opened; the message names what failed
     * @throws io.relaygate.core.config.ConfigException when {@code RELAYGATE_SECRET_KEY} is malformed
     */
    public static Store open(StoreConfig config, Map<String, String> env) {
        requireNonNull(config, "config");
        requireNonNull(env, "env");
        return open(config, env, CredentialCipher.load(config.dataDir(), env));
    }

    static Store open(StoreConfig config, Map<String, String> env, CredentialCipher cipher) {
        KeyHasher hasher = pepper(config.dataDir(), env);
        if (StoreConfig.REDIS.equals(config.type())) {
            return RedisStore.open(
                    requireNonNull(config.redisUrl(), "redisUrl"),
                    config.keyPrefix(),
                    cipher,
                    hasher,
                    config.localAdmission());
        }
        return LocalStore.open(config.dataDir(), cipher, hasher, Ticker.systemTicker());
    }

    /** The environment variable holding the key-hash pepper (base64 of 32 bytes). */
    public static final String PEPPER_ENV = "RELAYGATE_KEY_PEPPER";

    /** The pepper file in the data folder, used when {@link #PEPPER_ENV} is not set (generated on first start). */
    public static final String PEPPER_FILE = "pepper.key";

    /** The key hasher under the server's pepper, from {@code env} or the data folder. */
    static KeyHasher pepper(java.nio.file.Path dataDir, Map<String, String> env) {
        return KeyHasher.peppered(ServerSecret.load(
                dataDir,
                env,
                PEPPER_ENV,
                PEPPER_FILE,
                "key-hash pepper",
                "no gateway key can be checked and every key must be made anew"));
    }
}
