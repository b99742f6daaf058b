package io.relaygate.accounts;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The console's sign-in state, shared by every instance on one store: the admin password's hash, the operators'
 * sessions and the count of recent failed sign-ins per address and per account. Nothing here is on a request's hot
 * path: the admin API and the console are the only callers.
 *
 * <p>Sessions are stored under a digest of their token (the caller hashes it), so a copy of the store cannot be
 * replayed as a cookie. Values are opaque strings (the server keeps JSON in them).
 */
public interface AdminStore {

    /** The admin password's hash, if one was set. */
    CompletionStage<Optional<String>> passwordHash();

    /** Sets the admin password's hash, replacing any. */
    CompletionStage<Void> setPasswordHash(String hash);

    /** Sets the admin password's hash only when none is set; completes with whether it did (first start). */
    CompletionStage<Boolean> initPasswordHash(String hash);

    /** Stores session {@code id} with {@code value} for {@code ttl} (replacing it and its expiry when it exists). */
    CompletionStage<Void> putSession(String id, String value, Duration ttl);

    /** The value of session {@code id}, if it exists and has not expired. */
    CompletionStage<Optional<String>> session(String id);

    /** Ends session {@code id}; nothing happens when there is none. */
    CompletionStage<Void> deleteSession(String id);

    /** Ends every session (after a password reset). */
    CompletionStage<Void> deleteAllSessions();

    /**
     * Counts one failed sign-in under {@code name} (an address or an account) and completes with the failures counted
     * under it in the window: the window starts at the first failure and lasts {@code window}.
     */
    CompletionStage<Long> countFailure(String name, Duration window);

    /** The failures counted under {@code name} in its current window (0 when none). */
    CompletionStage<Long> failures(String name);

    /** Forgets the failures counted under {@code name} (after a successful sign-in). */
    CompletionStage<Void> clearFailures(String name);
}
