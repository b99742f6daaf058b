package io.relaygate.accounts.people;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One signed-in client of a person, as stored: the salted hashes of its current access and refresh tokens (never the
 * tokens), when each runs out, and where it came from. A refresh replaces both hashes and counts {@code generation}
 * up; a revocation deletes the record, which ends both tokens at once.
 *
 * @param id the session id, embedded in both tokens so a lookup is one read
 * @param personId whose session it is
 * @param keyId the key the session spends under (the person's)
 * @param salt per-session random salt, base64, for both hashes
 * @param accessHash the access token's hash
 * @param accessExpiresAt when the access token stops being accepted
 * @param refreshHash the refresh token's hash
 * @param expiresAt when the session ends: no refresh after it
 * @param createdAt when the person signed in
 * @param client the client that signed in ({@code User-Agent}, and the {@code surface} it named)
 * @param address where it signed in from
 * @param generation how many times the tokens were rotated
 */
public record SignInSession(
        String id,
        String personId,
        String keyId,
        String salt,
        String accessHash,
        Instant accessExpiresAt,
        String refreshHash,
        Instant expiresAt,
        Instant createdAt,
        String client,
        String address,
        int generation) {

    public SignInSession {
        requireNonNull(id, "id");
        requireNonNull(personId, "personId");
        requireNonNull(keyId, "keyId");
        requireNonNull(salt, "salt");
        requireNonNull(accessHash, "accessHash");
        requireNonNull(accessExpiresAt, "accessExpiresAt");
        requireNonNull(refreshHash, "refreshHash");
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(client, "client");
        requireNonNull(address, "address");
    }
}
