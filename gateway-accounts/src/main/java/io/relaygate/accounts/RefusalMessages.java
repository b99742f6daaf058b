package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.state.Admission;
import io.relaygate.accounts.state.AdmissionRequest;
import io.relaygate.core.Durations;
import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** What the client is told when one of its key's limits refuses a request. */
final class RefusalMessages {

    private RefusalMessages() {}

    /** Which limit, its value, and when it resets. */
    static String of(Admission a, KeyRules rules, Instant now) {
        Admission.Limit limit = requireNonNull(a.limit(), "limit");
        String what =
                switch (limit) {
                    case REQUESTS ->
                        "request limit of this key reached: " + a.current() + " of " + rules.maxRequests()
                                + " requests per " + Durations.format(requireNonNull(rules.requestWindow()));
                    case TOKENS ->
                        "token limit of this key reached: " + a.current() + " of " + rules.maxTokens() + " tokens per "
                                + Durations.format(requireNonNull(rules.tokenWindow()));
                    case CONCURRENCY ->
                        "concurrency limit of this key reached: " + a.current() + " of " + rules.maxConcurrency()
                                + " requests in flight";
                    case DAILY_COST ->
                        "daily cost limit of this key reached: " + usd(a.current()) + " of "
                                + usd(AdmissionRequest.micros(rules.dailyCostUsd()));
                    case WEEKLY_COST ->
                        "weekly cost limit of this key reached: " + usd(a.current()) + " of "
                                + usd(AdmissionRequest.micros(rules.weeklyCostUsd()));
                    default ->
                        "total cost limit of this key reached: " + usd(a.current()) + " of "
                                + usd(AdmissionRequest.micros(rules.totalCostUsd()));
                };
        Instant reset = a.resetAt();
        if (reset == null) {
            return what + "; it does not reset";
        }
        return what + "; resets at " + reset + " (in " + Durations.format(secondsUntil(now, reset)) + ")";
    }

    /** Whole seconds from {@code now} until {@code reset}, rounded up, never negative. */
    static Duration secondsUntil(Instant now, Instant reset) {
        long ms = Math.max(0, reset.toEpochMilli() - now.toEpochMilli());
        return Duration.ofSeconds((ms + 999) / 1000);
    }

    private static String usd(long micros) {
        return String.format(Locale.ROOT, "$%.2f", micros / 1e6);
    }
}
