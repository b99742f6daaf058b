package io.relaygate.core.catalogue;

import java.util.Locale;

/** How a request's cost was found: its model's own price, a neighbour's, or the fail-safe fallback. */
public enum PriceBasis {
    /** The catalogue has the model (also under a dated, {@code -latest} or provider-prefixed name). */
    EXACT,
    /** Priced by the nearest rule: a longer name of a catalogued model, the same family and tier, or a shorter stem. */
    ESTIMATED,
    /** Nothing matched: the fallback price (by default the highest of the vendor's catalogue) applies. */
    UNPRICED;

    /** The name in logs, JSON and the CLI: {@code exact}, {@code estimated}, {@code unpriced}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
