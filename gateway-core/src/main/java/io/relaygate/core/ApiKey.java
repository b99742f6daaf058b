package io.relaygate.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A gateway API key as stored: never the secret itself, only a salted hash of it and a short visible prefix.
 *
 * @param id stable identifier, also embedded in the secret so a lookup needs no scan
 * @param name the operator's name for the key (unique)
 * @param prefix the first characters of the secret, safe to show ({@code rg_ab12cd34…})
 * @param salt per-key random salt, base64
 * @param secretHash SHA-256 over salt and secret, base64
 * @param enabled disabled keys are refused
 * @param createdAt when the key was created
 * @param rules the key's limits and restrictions
 */
public record ApiKey(
        String id,
        String name,
        String prefix,
        String salt,
        String secretHash,
        boolean enabled,
        Instant createdAt,
        KeyRules rules) {

    public ApiKey {
        requireNonNull(id, "id");
        requireNonNull(name, "name");
        requireNonNull(prefix, "prefix");
        requireNonNull(salt, "salt");
        requireNonNull(secretHash, "secretHash");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(rules, "rules");
    }

    /** The same key with its secret's hash made anew (another salt, another form). */
    public ApiKey withSecretHash(String newSalt, String newHash) {
        return new ApiKey(id, name, prefix, newSalt, newHash, enabled, createdAt, rules);
    }

    public ApiKey withEnabled(boolean value) {
        return new ApiKey(id, name, prefix, salt, secretHash, value, createdAt, rules);
    }

    public ApiKey withRules(KeyRules value) {
        return new ApiKey(id, name, prefix, salt, secretHash, enabled, createdAt, value);
    }
}
