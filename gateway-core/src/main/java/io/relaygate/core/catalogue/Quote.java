package io.relaygate.core.catalogue;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Usage;
import org.jspecify.annotations.Nullable;

/**
 * How the catalogue prices one model name: the entry it is priced as (null for the fallback), and how sure that is.
 *
 * @param model the name asked about
 * @param basis exact, estimated or unpriced
 * @param pricedAs the catalogue entry's name, or {@code fallback}
 * @param entry the entry, or null when the fallback applies
 * @param fallback the fallback price, used when {@code entry} is null
 */
public record Quote(
        String model,
        PriceBasis basis,
        String pricedAs,
        @Nullable ModelEntry entry,
        ModelPrice fallback) {

    public Quote {
        requireNonNull(model, "model");
        requireNonNull(basis, "basis");
        requireNonNull(pricedAs, "pricedAs");
        requireNonNull(fallback, "fallback");
    }

    /** Cost of {@code usage} in micro-USD at this quote's price (the long-context one when it applies). */
    public long costMicros(Usage usage) {
        ModelEntry e = entry;
        return (e == null ? fallback : e.priceFor(usage)).costMicros(usage);
    }
}
