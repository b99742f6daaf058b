package io.relaygate.accounts;

import io.relaygate.core.ApiKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Gateway API keys as stored (hash and prefix, never the secret). Names are unique. Most callers want
 * {@link ApiKeyService}, which generates secrets and caches lookups.
 */
public interface ApiKeyStore {

    /** Adds {@code key}; fails with {@link DuplicateNameException} when its name (or id) is taken. */
    CompletionStage<ApiKey> create(ApiKey key);

    CompletionStage<Optional<ApiKey>> findById(String id);

    CompletionStage<Optional<ApiKey>> findByName(String name);

    /** Every key, ordered by name. */
    CompletionStage<List<ApiKey>> list();

    /**
     * Replaces the key with {@code key.id()}; fails with a {@code NOT_FOUND} {@link io.relaygate.core.GatewayException}
     * when there is none, and with {@link DuplicateNameException} when a rename collides with another key.
     */
    CompletionStage<ApiKey> update(ApiKey key);

    /**
     * How this store's key secrets are hashed: under the server's pepper for the real backends, which load it with
     * the credential key ({@code RELAYGATE_KEY_PEPPER} or {@code pepper.key} in the data folder); unpeppered by
     * default, for stores that have no server secrets (tests).
     */
    default KeyHasher hasher() {
        return KeyHasher.unpeppered();
    }
}
