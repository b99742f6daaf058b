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
 * @param immediate its key has token or cost limits, which the next admission must see: its cost and tokens are
 *     counted against them at once ({@link SharedState#spend}), the rest of it goes with the next batch
 * @param leaseId the request's concurrency lease, given back in the same write as the spend (one store command
 *     instead of two, and the key's next admission sees the freed slot and the spent tokens together); only on an
 *     immediate record, null when the request held none or gave it back itself
 * @param limitsCounted its cost and tokens were counted against its key's limits already ({@link #counted()}): a
 *     {@link SharedState#record} of it leaves the cost in the key's day, week and total usage and the token window
 *     alone
 */
public record UsageRecord(
        String keyId,
        @Nullable String accountId,
        @Nullable String model,
        UsageCounters counters,
        Instant at,
        @Nullable Duration tokenWindow,
        boolean immediate,
        @Nullable String leaseId,
        boolean limitsCounted) {

    public UsageRecord {
        requireNonNull(keyId, "keyId");
        requireNonNull(counters, "counters");
        requireNonNull(at, "at");
        if (leaseId != null && !immediate) {
            throw new IllegalArgumentException("a lease is given back only with an immediate record");
        }
    }

    /** A record that has not been counted against its key's limits yet. */
    public UsageRecord(
            String keyId,
            @Nullable String accountId,
            @Nullable String model,
            UsageCounters counters,
            Instant at,
            @Nullable Duration tokenWindow,
            boolean immediate,
            @Nullable String leaseId) {
        this(keyId, accountId, model, counters, at, tokenWindow, immediate, leaseId, false);
    }

    /** A record that gives back no lease. */
    public UsageRecord(
            String keyId,
            @Nullable String accountId,
            @Nullable String model,
            UsageCounters counters,
            Instant at,
            @Nullable Duration tokenWindow,
            boolean immediate) {
        this(keyId, accountId, model, counters, at, tokenWindow, immediate, null);
    }

    /** What is left to record once {@link SharedState#spend} has counted this record against its key's limits. */
    public UsageRecord counted() {
        return new UsageRecord(keyId, accountId, model, counters, at, tokenWindow, false, null, true);
    }

    /** A record that may wait for the next batch. */
    public UsageRecord(
            String keyId,
            @Nullable String accountId,
            @Nullable String model,
            UsageCounters counters,
            Instant at,
            @Nullable Duration tokenWindow) {
        this(keyId, accountId, model, counters, at, tokenWindow, false, null);
    }
}
