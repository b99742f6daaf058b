package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
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
        CredentialCipher cipher = CredentialCipher.load(config.dataDir(), env);
        if (StoreConfig.REDIS.equals(config.type())) {
            return RedisStore.open(requireNonNull(config.redisUrl(), "redisUrl"), config.keyPrefix(), cipher);
        }
        return LocalStore.open(config.dataDir(), cipher, Ticker.systemTicker());
    }
}
