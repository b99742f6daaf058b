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
        /** 529: overloaded for a configured time, then on trial (see {@link #recoversByTrial()}). */
        OVERLOADED("overloaded"),
        /** Refused credentials (401/403) or a failed token refresh: out until an operator resumes it. */
        UNAUTHORIZED("unauthorized"),
        /** The upstream (or the account's proxy) could not be reached: out for a configured time, then on trial. */
        UNREACHABLE("unreachable");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /**
         * Whether an account put out for this comes back half-open when its cool-down ends: one trial request first,
         * the rest of the traffic only once that succeeded. Faults (an overloaded or unreachable upstream) may well
         * outlast a cool-down, so a burst of real requests must not be the test; a rate limit announces its own reset
         * and refused credentials wait for an operator.
         */
        public boolean recoversByTrial() {
            return this == OVERLOADED || this == UNREACHABLE;
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

    /**
     * Whether the account's cool-down is over at {@code now} but it is not trusted yet (half-open): it takes one trial
     * request, and is back in rotation only when that succeeds.
     */
    public boolean awaitsTrialAt(Instant now) {
        return state.recoversByTrial() && !activeAt(now);
    }

    /** Whether this condition still says something at {@code now}: out of rotation, or awaiting its trial. */
    public boolean inEffectAt(Instant now) {
        return activeAt(now) || awaitsTrialAt(now);
    }
}
