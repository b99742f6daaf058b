package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One request asking to start under its key's limits.
 *
 * @param keyId the gateway key's id
 * @param rules the key's rules (only the stateful ones are read here: requests, tokens, concurrency, cost)
 * @param leaseId identifies this request's concurrency lease (the request id)
 * @param leaseTtl how long the lease lives without renewal; a crashed instance's leases expire after it
 * @param now the clock's time (tests pass a fake one)
 * @param sessionHash the request's session hash, to look up its sticky account in the same round trip, or null
 * @param stickyTtl how long a sticky mapping lives after its last use; a found mapping is renewed by this admission
 * @param knownSticky the session's sticky account as this instance saw it lately (the scheduler's own memory), or
 *     null: a store that admits the request without a round trip answers with it
 */
public record AdmissionRequest(
        String keyId,
        KeyRules rules,
        String leaseId,
        Duration leaseTtl,
        Instant now,
        @Nullable String sessionHash,
        Duration stickyTtl,
        @Nullable String knownSticky) {

    /** A request whose session's sticky account this instance does not know. */
    public AdmissionRequest(
            String keyId,
            KeyRules rules,
            String leaseId,
            Duration leaseTtl,
            Instant now,
            @Nullable String sessionHash,
            Duration stickyTtl) {
        this(keyId, rules, leaseId, leaseTtl, now, sessionHash, stickyTtl, null);
    }

    public AdmissionRequest {
        requireNonNull(keyId, "keyId");
        requireNonNull(rules, "rules");
        requireNonNull(leaseId, "leaseId");
        requireNonNull(leaseTtl, "leaseTtl");
        requireNonNull(now, "now");
        requireNonNull(stickyTtl, "stickyTtl");
    }

    /** Whether the backend has anything to do: a stateful limit to check, or a sticky session to look up. */
    public boolean needsState() {
        return sessionHash != null || rules.hasSharedLimits();
    }

    /** Start of the fixed window of {@code length} that contains {@code now} (windows align to the epoch). */
    public static long windowStart(Instant now, Duration length) {
        long ms = now.toEpochMilli();
        long len = Math.max(1, length.toMillis());
        return ms - Math.floorMod(ms, len);
    }

    /** A USD limit in micro-USD, the unit cost counters use; -1 for none. */
    public static long micros(@Nullable Double usd) {
        return usd == null ? -1 : Math.round(usd * 1_000_000d);
    }
}
