package io.relaygate.accounts.state;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The embedded backend's half-open trial claims: one per account, checked against the account's condition under one
 * lock so a claim and the condition it was taken on cannot drift apart. Not persisted: a claim lives a request's time,
 * and after a restart the account simply takes a new trial.
 */
final class LocalTrials {

    private record Claim(String claimId, Instant expiresAt) {}

    private final Map<String, AccountCondition> conditions;
    private final Map<String, Claim> claims = new HashMap<>();

    /** @param conditions the live conditions of {@link LocalSharedState}, read here, never written */
    LocalTrials(Map<String, AccountCondition> conditions) {
        this.conditions = conditions;
    }

    synchronized TrialClaim claim(String accountId, String claimId, Instant now, Duration ttl) {
        AccountCondition c = conditions.get(accountId);
        if (c == null) {
            return TrialClaim.RECOVERED;
        }
        if (!c.awaitsTrialAt(now)) {
            return TrialClaim.TAKEN;
        }
        Claim held = claims.get(accountId);
        if (held != null && now.isBefore(held.expiresAt)) {
            return TrialClaim.TAKEN;
        }
        claims.put(accountId, new Claim(claimId, now.plus(ttl)));
        return TrialClaim.CLAIMED;
    }

    synchronized void release(String accountId, String claimId) {
        Claim held = claims.get(accountId);
        if (held != null && held.claimId.equals(claimId)) {
            claims.remove(accountId);
        }
    }
}
