package io.relaygate.accounts.state;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The answer to an {@link AdmissionRequest}.
 *
 * @param admitted whether the request may start (its lease, if the key limits concurrency, is then held)
 * @param limit the limit that refused it; null if admitted
 * @param resetAt when the refusing limit frees up (window end, earliest lease expiry, next day or week); null when it
 *     never does (a lifetime cost limit)
 * @param current the refusing limit's current value (requests, tokens, leases held, or micro-USD spent)
 * @param stickyAccountId the session's sticky account id, if any
 * @param spend what the key had spent in the buckets its cost limits read, when it was admitted ({@link CostSpend#NONE}
 *     when refused, or when nothing was read)
 */
public record Admission(
        boolean admitted,
        @Nullable Limit limit,
        @Nullable Instant resetAt,
        long current,
        @Nullable String stickyAccountId,
        CostSpend spend) {

    public Admission {
        java.util.Objects.requireNonNull(spend, "spend");
    }

    /** The limits an admission checks, in the order it checks them. */
    public enum Limit {
        TOTAL_COST("total-cost"),
        WEEKLY_COST("weekly-cost"),
        DAILY_COST("daily-cost"),
        TOKENS("tokens"),
        REQUESTS("requests"),
        CONCURRENCY("concurrency");

        private final String wireName;

        Limit(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Limit fromWireName(String name) {
            for (Limit l : values()) {
                if (l.wireName.equals(name)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("limit: " + name);
        }
    }

    public static Admission admitted(@Nullable String sticky) {
        return new Admission(true, null, null, 0, sticky, CostSpend.NONE);
    }

    /** Admitted, with what the key had spent against its cost limits. */
    public static Admission admitted(@Nullable String sticky, CostSpend spend) {
        return new Admission(true, null, null, 0, sticky, spend);
    }

    static Admission refused(Limit limit, @Nullable Instant resetAt, long current) {
        return new Admission(false, limit, resetAt, current, null, CostSpend.NONE);
    }

    /** Whether the refusing limit is a cost limit (daily, weekly or lifetime spend). */
    public boolean refusedForCost() {
        return limit == Limit.DAILY_COST || limit == Limit.WEEKLY_COST || limit == Limit.TOTAL_COST;
    }
}
