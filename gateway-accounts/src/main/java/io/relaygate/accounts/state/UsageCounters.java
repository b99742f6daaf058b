package io.relaygate.accounts.state;

import io.relaygate.core.Usage;

/**
 * Summed usage: requests, failed requests, the four token counts and cost in micro-USD (integers, so sums are exact
 * in both backends).
 */
public record UsageCounters(
        long requests,
        long errors,
        long inputTokens,
        long outputTokens,
        long cacheCreationTokens,
        long cacheReadTokens,
        long costMicros) {

    public static final UsageCounters ZERO = new UsageCounters(0, 0, 0, 0, 0, 0, 0);

    /** Names of the counters, in record order, as both backends store them. */
    static final String[] FIELDS = {"requests", "errors", "input", "output", "cache_creation", "cache_read", "cost"};

    /** One request's counters. */
    public static UsageCounters of(Usage usage, boolean error, long costMicros) {
        return new UsageCounters(
                1,
                error ? 1 : 0,
                usage.inputTokens(),
                usage.outputTokens(),
                usage.cacheCreationInputTokens(),
                usage.cacheReadInputTokens(),
                costMicros);
    }

    public UsageCounters plus(UsageCounters o) {
        return new UsageCounters(
                requests + o.requests,
                errors + o.errors,
                inputTokens + o.inputTokens,
                outputTokens + o.outputTokens,
                cacheCreationTokens + o.cacheCreationTokens,
                cacheReadTokens + o.cacheReadTokens,
                costMicros + o.costMicros);
    }

    /** Input of every kind plus output. */
    public long totalTokens() {
        return inputTokens + outputTokens + cacheCreationTokens + cacheReadTokens;
    }

    /** Cost in USD. */
    public double costUsd() {
        return costMicros / 1_000_000d;
    }

    long[] values() {
        return new long[] {requests, errors, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, costMicros
        };
    }

    static UsageCounters fromValues(long[] v) {
        return new UsageCounters(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    }
}
