package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
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
 * @param costLimits the key's buckets with a cost limit (of {@link Period#DAY}, {@link Period#WEEK} and
 *     {@link Period#TOTAL}): {@link SharedState#spend} counts the cost in these only, where the next admission reads
 *     it; a {@link #counted()} record adds it to the key's other buckets (the batch), so each bucket gets it once
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
        boolean limitsCounted,
        Set<Period> costLimits) {

    /** Every bucket a cost limit can read: what a record made without naming its key's cost limits assumes. */
    public static final Set<Period> ALL_COST_LIMITS =
            Collections.unmodifiableSet(EnumSet.of(Period.DAY, Period.WEEK, Period.TOTAL));

    public UsageRecord {
        requireNonNull(keyId, "keyId");
        requireNonNull(costLimits, "costLimits");
        if (costLimits.contains(Period.HOUR)) {
            throw new IllegalArgumentException("costLimits: " + costLimits + " (expected: of DAY, WEEK, TOTAL)");
        }
        costLimits = costLimits.isEmpty()
                ? Set.of()
                : costLimits.size() == 3 ? ALL_COST_LIMITS : Collections.unmodifiableSet(EnumSet.copyOf(costLimits));
        requireNonNull(counters, "counters");
        requireNonNull(at, "at");
        if (leaseId != null && !immediate) {
            throw new IllegalArgumentException("a lease is given back only with an immediate record");
        }
    }

    /** The buckets {@code rules} limit the cost of. */
    public static Set<Period> costLimitsOf(KeyRules rules) {
        EnumSet<Period> out = EnumSet.noneOf(Period.class);
        if (rules.dailyCostUsd() != null) {
            out.add(Period.DAY);
        }
        if (rules.weeklyCostUsd() != null) {
            out.add(Period.WEEK);
        }
        if (rules.totalCostUsd() != null) {
            out.add(Period.TOTAL);
        }
        return out;
    }

    /**
     * A record that has not been counted against its key's limits yet, of a key that may have any cost limit
     * ({@link #ALL_COST_LIMITS}).
     */
    public UsageRecord(
            String keyId,
            @Nullable String accountId,
            @Nullable String model,
            UsageCounters counters,
            Instant at,
            @Nullable Duration tokenWindow,
            boolean immediate,
            @Nullable String leaseId) {
        this(keyId, accountId, model, counters, at, tokenWindow, immediate, leaseId, false, ALL_COST_LIMITS);
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
        return new UsageRecord(keyId, accountId, model, counters, at, tokenWindow, false, null, true, costLimits);
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

    /** This record without its lease: the lease was (or is being) given back on its own. */
    public UsageRecord withoutLease() {
        return leaseId == null
                ? this
                : new UsageRecord(keyId, accountId, model, counters, at, tokenWindow, true, null, false, costLimits);
    }
}
