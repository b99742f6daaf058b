package io.relaygate.core.catalogue;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Prices of one model in USD per million tokens, one per kind of token. Providers without a cache-write charge bill
 * cache writes as plain input, so their cache-write prices equal {@code inputPerMTok}. {@link Usage} does not tell
 * five-minute from one-hour cache writes, so {@link #costMicros} charges cache writes at the five-minute price; the
 * one-hour price is kept for the catalogue's readers.
 */
public record ModelPrice(
        double inputPerMTok,
        double outputPerMTok,
        double cacheWritePerMTok,
        double cacheWrite1hPerMTok,
        double cacheReadPerMTok) {

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    public ModelPrice {
        check("inputPerMTok", inputPerMTok);
        check("outputPerMTok", outputPerMTok);
        check("cacheWritePerMTok", cacheWritePerMTok);
        check("cacheWrite1hPerMTok", cacheWrite1hPerMTok);
        check("cacheReadPerMTok", cacheReadPerMTok);
    }

    /** A price whose one-hour cache writes cost what five-minute ones do. */
    public ModelPrice(double inputPerMTok, double outputPerMTok, double cacheWritePerMTok, double cacheReadPerMTok) {
        this(inputPerMTok, outputPerMTok, cacheWritePerMTok, cacheWritePerMTok, cacheReadPerMTok);
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

    /** Each price the higher of this one's and {@code other}'s: the fail-safe price of a set of models. */
    public ModelPrice max(ModelPrice other) {
        return new ModelPrice(
                Math.max(inputPerMTok, other.inputPerMTok),
                Math.max(outputPerMTok, other.outputPerMTok),
                Math.max(cacheWritePerMTok, other.cacheWritePerMTok),
                Math.max(cacheWrite1hPerMTok, other.cacheWrite1hPerMTok),
                Math.max(cacheReadPerMTok, other.cacheReadPerMTok));
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
