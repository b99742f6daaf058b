package io.relaygate.accounts.ledger;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Which records to read: those of a key (name or id) and an account (name, among the attempts), ended in
 * {@code [since, until)}, newest first, at most {@code limit}.
 */
public record RequestQuery(
        @Nullable String key,
        @Nullable String account,
        @Nullable Instant since,
        @Nullable Instant until,
        int limit) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public RequestQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1 to " + MAX_LIMIT + ")");
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("since: " + since + " (expected: before until " + until + ")");
        }
    }

    /** Whether {@code r} is one of the records asked for. */
    public boolean matches(RequestRecord r) {
        return (key == null || r.hasKey(key))
                && (account == null || r.triedAccount(account))
                && (since == null || !r.time().isBefore(since))
                && (until == null || r.time().isBefore(until));
    }
}
