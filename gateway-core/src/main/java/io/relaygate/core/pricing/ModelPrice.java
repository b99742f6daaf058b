package io.relaygate.core.pricing;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Prices of one model in USD per million tokens, one per kind of token in {@link Usage}. Providers without a cache-write
 * charge (OpenAI, most OpenAI-compatible servers) bill cache writes as plain input, so their {@code cacheWritePerMTok}
 * equals {@code inputPerMTok}.
 */
public record ModelPrice(double inputPerMTok, double outputPerMTok, double cacheWritePerMTok, double cacheReadPerMTok) {

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    public ModelPrice {
        check("inputPerMTok", inputPerMTok);
        check("outputPerMTok", outputPerMTok);
        check("cacheWritePerMTok", cacheWritePerMTok);
        check("cacheReadPerMTok", cacheReadPerMTok);
    }

    /**
     * Cost of {@code usage} in micro-USD (1e-6 USD), rounded half-up once on the exact sum. USD per million tokens times
     * tokens is already micro-USD, so there is no scaling; {@link BigDecimal#valueOf(double)} reads {@code 0.275} as
     * 0.275 rather than its binary approximation, so results never drift by a micro. Saturates at {@link Long#MAX_VALUE}
     * rather than throwing on absurd upstream counts.
     */
    public long costMicros(Usage usage) {
        requireNonNull(usage, "usage");
        BigDecimal micros = times(inputPerMTok, usage.inputTokens())
                .add(times(outputPerMTok, usage.outputTokens()))
                .add(times(cacheWritePerMTok, usage.cacheCreationInputTokens()))
                .add(times(cacheReadPerMTok, usage.cacheReadInputTokens()))
                .setScale(0, RoundingMode.HALF_UP);
        return micros.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : micros.longValueExact();
    }

    private static BigDecimal times(double perMTok, long tokens) {
        return BigDecimal.valueOf(perMTok).multiply(BigDecimal.valueOf(tokens));
    }

    private static void check(String name, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: a finite number >= 0)");
        }
    }
}
