package io.relaygate.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.relaygate.core.Usage;
import io.relaygate.core.config.MetricsConfig;
import org.jspecify.annotations.Nullable;

/**
 * Tokens and cost by model ({@code relaygate_tokens_total}, {@code relaygate_cost_usd_total}) and, when configured,
 * by gateway key ({@code relaygate_key_*}); both labels capped (see {@link CappedLabel}).
 */
final class UsageMeters {

    /** One label value's counters. */
    private record Series(Counter input, Counter output, Counter cacheCreation, Counter cacheRead, Counter cost) {

        void add(Usage u, long costMicros) {
            add(input, u.inputTokens());
            add(output, u.outputTokens());
            add(cacheCreation, u.cacheCreationInputTokens());
            add(cacheRead, u.cacheReadInputTokens());
            if (costMicros > 0) {
                cost.increment(costMicros / 1e6);
            }
        }

        private static void add(Counter c, long n) {
            if (n > 0) {
                c.increment(n);
            }
        }
    }

    private final CappedLabel<Series> models;
    private final @Nullable CappedLabel<Series> keys;
    private final @Nullable CappedLabel<Counter> keyRequests;

    UsageMeters(MeterRegistry registry, MetricsConfig config) {
        models = new CappedLabel<>(config.maxModels(), m -> series(registry, "relaygate.", "model", m));
        if (config.perKey()) {
            keys = new CappedLabel<>(config.maxKeys(), k -> series(registry, "relaygate.key.", "key", k));
            keyRequests = new CappedLabel<>(config.maxKeys(), k -> Counter.builder("relaygate.key.requests")
                    .description("Requests that reached admission, by gateway key name (opt-in, capped)")
                    .tag("key", k)
                    .register(registry));
        } else {
            keys = null;
            keyRequests = null;
        }
    }

    private static Series series(MeterRegistry registry, String prefix, String label, String value) {
        return new Series(
                tokens(registry, prefix, label, value, "input"),
                tokens(registry, prefix, label, value, "output"),
                tokens(registry, prefix, label, value, "cache_creation"),
                tokens(registry, prefix, label, value, "cache_read"),
                Counter.builder(prefix + "cost")
                        .baseUnit("usd")
                        .description("Cost of the tokens at the price table's prices, US dollars, by " + label)
                        .tag(label, value)
                        .register(registry));
    }

    private static Counter tokens(MeterRegistry registry, String prefix, String label, String value, String type) {
        return Counter.builder(prefix + "tokens")
                .description("Tokens the upstreams reported, by " + label + " and type")
                .tag(label, value)
                .tag("type", type)
                .register(registry);
    }

    /** One finished exchange's usage: {@code model} is the model the upstream ran (null: no account reached). */
    void record(@Nullable String model, String keyName, Usage usage, long costMicros) {
        if (model != null && (!usage.equals(Usage.ZERO) || costMicros > 0)) {
            models.get(model).add(usage, costMicros);
        }
        CappedLabel<Series> k = keys;
        CappedLabel<Counter> kr = keyRequests;
        if (k != null && kr != null) {
            kr.get(keyName).increment();
            if (!usage.equals(Usage.ZERO) || costMicros > 0) {
                k.get(keyName).add(usage, costMicros);
            }
        }
    }
}
