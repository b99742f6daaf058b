package io.relaygate.server.exchange;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.state.AdmissionRequest;
import io.relaygate.accounts.state.CostSpend;
import io.relaygate.accounts.state.Period;
import io.relaygate.core.KeyRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A key's standing against one of its cost caps (daily, weekly, lifetime), in the terms Claude Code's gateway protocol
 * reports it ("Usage-limit headers", testdata/clients/gateway/claude-gateway-2.1.330_protocol.md): the fraction used,
 * the thresholds passed (75 % and 95 % make Claude Code show its notice) and when the cap resets.
 *
 * @param period {@code daily}, {@code weekly} or {@code total}
 * @param spentMicros what was spent in the cap's current bucket, micro-USD
 * @param limitMicros the cap, micro-USD
 * @param resetAt when the cap's bucket ends; null for a lifetime cap, which never resets
 */
public record SpendStanding(
        String period,
        long spentMicros,
        long limitMicros,
        @Nullable Instant resetAt) {

    /** Past these fractions of a cap the client is told so (the protocol's two thresholds). */
    static final double WARNING = 0.75;

    static final double CRITICAL = 0.95;

    public SpendStanding {
        requireNonNull(period, "period");
        if (limitMicros < 0) {
            throw new IllegalArgumentException("limitMicros: " + limitMicros + " (expected: >= 0)");
        }
    }

    /** Whether {@code rules} have a cost cap (daily, weekly or lifetime). */
    public static boolean capped(KeyRules rules) {
        return rules.dailyCostUsd() != null || rules.weeklyCostUsd() != null || rules.totalCostUsd() != null;
    }

    /** Every cap of {@code rules} whose bucket {@code spend} has read, at {@code now}. */
    public static List<SpendStanding> of(KeyRules rules, CostSpend spend, Instant now) {
        List<SpendStanding> all = new ArrayList<>(3);
        add(all, "daily", rules.dailyCostUsd(), spend.day(), Period.DAY.end(now));
        add(all, "weekly", rules.weeklyCostUsd(), spend.week(), Period.WEEK.end(now));
        add(all, "total", rules.totalCostUsd(), spend.total(), null);
        return all;
    }

    private static void add(
            List<SpendStanding> to, String period, @Nullable Double usd, long spent, @Nullable Instant reset) {
        if (usd != null && spent >= 0) {
            to.add(new SpendStanding(period, spent, AdmissionRequest.micros(usd), reset));
        }
    }

    /** The fullest of {@code standings} (on a tie, the one that resets last); null when there is none. */
    public static @Nullable SpendStanding fullest(List<SpendStanding> standings) {
        SpendStanding best = null;
        for (SpendStanding s : standings) {
            if (best == null
                    || s.fraction() > best.fraction()
                    || s.fraction() == best.fraction() && resetsLater(s, best)) {
                best = s;
            }
        }
        return best;
    }

    private static boolean resetsLater(SpendStanding a, SpendStanding b) {
        return a.resetAt == null ? b.resetAt != null : b.resetAt != null && a.resetAt.isAfter(b.resetAt);
    }

    /** The fraction of the cap spent (1 for a $0 cap). */
    public double fraction() {
        return limitMicros == 0 ? 1 : (double) spentMicros / limitMicros;
    }

    /** Whole percent of the cap spent, rounded down (above 100 once over). */
    public long percent() {
        return limitMicros == 0 ? 100 : spentMicros * 100 / limitMicros;
    }

    /** The threshold passed, {@code 0.95} or {@code 0.75}, or null below both. */
    public @Nullable String surpassedThreshold() {
        double f = fraction();
        return f >= CRITICAL ? "0.95" : f >= WARNING ? "0.75" : null;
    }

    /**
     * The used fraction with two decimals, rounded down and kept below 1 while requests are still admitted (the
     * protocol: "kept below 1 while you're still allowing requests").
     */
    public String utilization() {
        int hundredths = (int) Math.max(0, Math.min(99, limitMicros == 0 ? 99 : spentMicros * 100 / limitMicros));
        // "0.00" to "0.99"; by hand, as this is on every response of a key with a cost limit (String.format was 2 %
        // of the Redis arm's event-loop CPU: issue 21's profile)
        return (hundredths < 10 ? "0.0" : "0.") + hundredths;
    }

    /** {@code allowed}, or {@code allowed_warning} once past the first threshold. */
    public String status() {
        return surpassedThreshold() == null ? "allowed" : "allowed_warning";
    }
}
