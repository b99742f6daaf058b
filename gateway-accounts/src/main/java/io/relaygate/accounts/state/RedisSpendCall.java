package io.relaygate.accounts.state;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * spend.lua's keys and arguments for one finished request ({@link RedisSharedState#spend}): its cost into the key's
 * usage hashes that have a cost limit, its tokens into the token window, its lease given back.
 *
 * @param cost the micro-USD it counts against the key's cost limits
 * @param tokens the tokens it counts in the key's token window
 */
record RedisSpendCall(String[] keys, String[] args, long cost, long tokens) {

    /** {@link #costMask}'s eight answers, indexed by day × 4 + week × 2 + total. */
    private static final String[] COST_MASKS = {"000", "001", "010", "011", "100", "101", "110", "111"};

    /**
     * The call for {@code r}, or {@code null} when it has nothing to count against its key's limits (no cost limit, no
     * token window, no lease).
     *
     * @param applied the writer's applied set in the key's slot, when {@code w} is given
     */
    static @Nullable RedisSpendCall of(
            RedisKeyNames.Names names, UsageRecord r, @Nullable WriteId w, @Nullable String applied) {
        long cost = r.costLimits().isEmpty() ? 0 : r.counters().costMicros();
        Duration window = r.tokenWindow();
        String lease = r.leaseId();
        if (cost == 0 && window == null && lease == null) {
            return null;
        }
        Instant at = r.at();
        List<String> keys = new ArrayList<>(6);
        keys.add(names.usage(Period.DAY, at));
        keys.add(names.usage(Period.WEEK, at));
        keys.add(names.usage(Period.TOTAL, at));
        String windowTtl = "-1";
        if (window != null) {
            long start = AdmissionRequest.windowStart(at, window);
            keys.add(names.tokenWindow(start));
            windowTtl = Long.toString(RedisSharedState.windowTtlMillis(start, window, at));
        }
        if (lease != null) {
            keys.add(names.lease);
        }
        if (w != null && applied != null) {
            keys.add(applied);
        }
        String[] args = {
            cost == 0 ? "0" : Long.toString(cost),
            Long.toString(RedisSharedState.ttlMillis(Period.DAY, at)),
            Long.toString(RedisSharedState.ttlMillis(Period.WEEK, at)),
            Long.toString(r.counters().totalTokens()),
            windowTtl,
            lease == null ? "" : lease,
            w == null ? "" : Long.toString(w.seq()),
            w == null ? "0" : Long.toString(w.low()),
            costMask(r.costLimits())
        };
        return new RedisSpendCall(
                keys.toArray(String[]::new),
                args,
                cost,
                window == null ? 0 : r.counters().totalTokens());
    }

    /**
     * A lease given back alone: spend.lua with nothing to count ({@link RedisSharedState#release} on a loop). It reads
     * its usage keys only for a cost, so the lease set stands in for them (the same slot): no clock read, no bucket
     * names built.
     */
    static RedisSpendCall lease(RedisKeyNames.Names names, String leaseId) {
        String[] keys = {names.lease, names.lease, names.lease, names.lease};
        String[] args = {"0", "0", "0", "0", "-1", leaseId, "", "0", "000"};
        return new RedisSpendCall(keys, args, 0, 0);
    }

    /** '1' or '0' per bucket of day, week and total: whether a cost limit reads it (spend.lua's ARGV[9]). */
    private static String costMask(Set<Period> limits) {
        return COST_MASKS[
                (limits.contains(Period.DAY) ? 4 : 0)
                        + (limits.contains(Period.WEEK) ? 2 : 0)
                        + (limits.contains(Period.TOTAL) ? 1 : 0)];
    }
}
