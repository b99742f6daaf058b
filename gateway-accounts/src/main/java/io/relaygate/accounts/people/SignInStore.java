package io.relaygate.accounts.people;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Short-lived sign-in state shared by every instance on one store, so any instance accepts a token another one issued
 * and answers a device code another one started: signed-in sessions, pending device authorizations and their user
 * codes, and operators' one-time sign-in links. Values are opaque strings (the services keep JSON in them) that
 * expire after their time to live. Ids are digests or random ids chosen by the services, never a token itself.
 */
public interface SignInStore {

    /** What a record is; each kind is its own name space. */
    enum Kind {
        SESSION("session"),
        DEVICE("device"),
        USER_CODE("usercode"),
        LINK("link"),
        /** A single sign-on waiting for the identity provider's callback (state, nonce, PKCE verifier). */
        SSO("sso");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** The name in store keys and file names. */
        public String wireName() {
            return wireName;
        }
    }

    /** Stores {@code value} under {@code id} for {@code ttl}, replacing any. */
    CompletionStage<Void> put(Kind kind, String id, String value, Duration ttl);

    /** The value under {@code id}, unless there is none or it expired. */
    CompletionStage<Optional<String>> get(Kind kind, String id);

    /**
     * Replaces the value under {@code id} with {@code next} (and its time to live with {@code ttl}) only when it is
     * still {@code expected}; completes with whether it did. Two instances rotating one refresh token: one wins.
     */
    CompletionStage<Boolean> replace(Kind kind, String id, String expected, String next, Duration ttl);

    /** Removes and returns the value under {@code id} in one step: of two callers, only one gets it (single use). */
    CompletionStage<Optional<String>> take(Kind kind, String id);

    /** Removes the value under {@code id}; completes with whether there was one. */
    CompletionStage<Boolean> delete(Kind kind, String id);

    /** Every live value of {@code kind} by id, for the operator's listings (not on any request's path). */
    CompletionStage<Map<String, String>> all(Kind kind);
}
