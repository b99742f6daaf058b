package io.relaygate.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.state.AccountCondition;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An account's runtime state as JSON fields, the same for {@code relaygate accounts list --json} and
 * {@code GET /admin/accounts}: {@code state} ({@code active} or the condition), {@code reason}, {@code since},
 * {@code until} and {@code lastUsed} when known.
 */
public final class AccountStateJson {

    private AccountStateJson() {}

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
