package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.ApiKey;

/**
 * A freshly created key and its secret. The secret exists only here: it is shown to the operator once and never
 * stored; {@link #toString()} masks it.
 */
public record CreatedKey(ApiKey key, String secret) {

    public CreatedKey {
        requireNonNull(key, "key");
        requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
        return "CreatedKey[key=" + key.name() + ", secret=" + key.prefix() + "***]";
    }
}
