package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An account's runtime state as JSON fields, the same for {@code relaygate accounts list --json} and
 * {@code GET /admin/accounts}: {@code state} ({@code active} or the condition), {@code reason}, {@code since},
 * {@code until} and {@code lastUsed} when known, and {@code quota}, the upstream's last rate-limit reading:
 *
 * <pre>{@code
 * "quota": {"headroom": 0.38, "observedAt": "…", "resetsAt": "<soonest reset>",
 *           "windows": {"5h": {"used": 0.62, "resetsAt": "…"}, "7d": {"used": 0.18, "resetsAt": "…"}}}
 * }</pre>
 *
 * with only the windows that have not reset yet.
 */
public final class AccountStateJson {

    private AccountStateJson() {}

    /** Adds the fields, the quota reading as of {@code now} included, to {@code n} and returns it. */
    public static ObjectNode put(
            ObjectNode n,
            @Nullable AccountCondition c,
            @Nullable Instant lastUsed,
            @Nullable AccountQuota quota,
            Instant now) {
        put(n, c, lastUsed);
        if (quota != null) {
            ObjectNode q = n.putObject("quota");
            q.put("headroom", fraction(quota.headroom(now)));
            q.put("observedAt", quota.observedAt().toString());
            Instant soonest = quota.soonestReset(now);
            if (soonest != null) {
                q.put("resetsAt", soonest.toString());
            }
            ObjectNode windows = q.putObject("windows");
            quota.liveWindows(now).forEach((w, use) -> {
                ObjectNode o = windows.putObject(w.label());
                o.put("used", fraction(use.used()));
                if (use.resetsAt() != null) {
                    o.put("resetsAt", use.resetsAt().toString());
                }
            });
        }
        return n;
    }

    /** Four decimals: {@code 1 - 9999 / 10000} reads 0.0001, not 1.0000000000000009E-4. */
    private static double fraction(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** Adds the fields to {@code n} and returns it. */
    public static ObjectNode put(ObjectNode n, @Nullable AccountCondition c, @Nullable Instant lastUsed) {
        n.put("state", c == null ? "active" : c.state().wireName());
        if (c != null) {
            n.put("reason", c.reason());
            n.put("since", c.since().toString());
            if (c.until() != null) {
                n.put("until", c.until().toString());
            }
        }
        if (lastUsed != null) {
            n.put("lastUsed", lastUsed.toString());
        }
        return n;
    }
}
