package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One finished request's usage, as counted: per key, per account (when one was reached) and per model, in the hour,
 * day and total buckets (and the ISO week for keys, which cost limits read), plus the key's token window.
 *
 * @param keyId the gateway key's id
 * @param accountId the account that answered, or null when none was reached
 * @param model the model that ran (the upstream model when the gateway mapped it), or null
 * @param counters what to add (one request, its tokens and cost)
 * @param at when it finished
 * @param tokenWindow the key's token window length, when the key limits tokens; the tokens go into that window too
 * @param immediate write it at once rather than in the next batch: its key has token or cost limits, which the next
 *     admission must see
 */
public record UsageRecord(
        String keyId,
        @Nullable String accountId,
        @Nullable String model,
        UsageCounters counters,
        Instant at,
        @Nullable Duration tokenWindow,
        boolean immediate) {

    public UsageRecord {
        requireNonNull(keyId, "keyId");
        requireNonNull(counters, "counters");
        requireNonNull(at, "at");
    }

    /** A record that may wait for the next batch. */
    public UsageRecord(
            String keyId,
            @Nullable String accountId,
            @Nullable String model,
            UsageCounters counters,
            Instant at,
            @Nullable Duration tokenWindow) {
        this(keyId, accountId, model, counters, at, tokenWindow, false);
    }
}
