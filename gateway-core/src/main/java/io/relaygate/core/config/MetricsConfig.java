package io.relaygate.core.config;

/**
 * The Prometheus endpoint {@code /metrics} and what it exposes.
 *
 * @param enabled whether {@code /metrics} exists and the gateway measures requests at all (off: 404, no per-request
 *     cost; for A/B benchmarks and for operators who do not scrape)
 * @param requireToken whether a scrape must send {@code Authorization: Bearer <admin token>}; needs
 *     {@code scheduling.adminToken}
 * @param perKey whether tokens, cost and requests also get series per gateway key (by key name, never the secret)
 * @param maxKeys how many keys get their own series when {@code perKey}: the first seen; the rest are summed under
 *     {@code key="other"}
 * @param maxModels how many models get their own token and cost series: the first seen; the rest are summed under
 *     {@code model="other"} (a client may name any model, so the label must be capped)
 */
public record MetricsConfig(boolean enabled, boolean requireToken, boolean perKey, int maxKeys, int maxModels) {

    public static final int DEFAULT_MAX_KEYS = 100;
    public static final int DEFAULT_MAX_MODELS = 50;

    public static MetricsConfig defaults() {
        return new MetricsConfig(true, false, false, DEFAULT_MAX_KEYS, DEFAULT_MAX_MODELS);
    }

    public MetricsConfig {
        Validation.range("metrics.maxKeys", maxKeys, 1, 10_000);
        Validation.range("metrics.maxModels", maxModels, 1, 1_000);
    }

    public MetricsConfig withPerKey(boolean value, int max) {
        return new MetricsConfig(enabled, requireToken, value, max, maxModels);
    }

    public MetricsConfig withRequireToken(boolean value) {
        return new MetricsConfig(enabled, value, perKey, maxKeys, maxModels);
    }

    public MetricsConfig withEnabled(boolean value) {
        return new MetricsConfig(value, requireToken, perKey, maxKeys, maxModels);
    }
}
