package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Why an account is out of rotation, and until when.
 *
 * @param state what happened
 * @param reason the upstream's reason or the gateway's, for {@code accounts list}; never a secret
 * @param since when it was set
 * @param until when the account comes back by itself; null for states an operator (or a token refresh) must clear
 */
public record AccountCondition(
        State state, String reason, Instant since, @Nullable Instant until) {

    /** The states an account can be put in by upstream answers. */
    public enum State {
        /** 429: rate limited until the announced reset. */
        RATE_LIMITED("rate-limited"),
        /** 529: overloaded for a configured time. */
        OVERLOADED("overloaded"),
        /** Refused credentials (401/403) or a failed token refresh: out until an operator resumes it. */
        UNAUTHORIZED("unauthorized"),
        /** The upstream (or the account's proxy) could not be reached: out for a configured time. */
        UNREACHABLE("unreachable");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static State fromWireName(String name) {
            for (State s : values()) {
                if (s.wireName.equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("account state: " + name);
        }
    }

    public AccountCondition {
        requireNonNull(state, "state");
        requireNonNull(reason, "reason");
        requireNonNull(since, "since");
    }

    /** Whether the account is still out of rotation at {@code now}. */
    public boolean activeAt(Instant now) {
        return until == null || now.isBefore(until);
    }
}
