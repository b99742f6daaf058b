package io.relaygate.server.usage;

import io.relaygate.core.Secrets;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once per model that the catalogue priced by estimate or by the fallback, so an operator learns of a new model
 * the day a client starts using it, and not from the vendor's bill. Model names come from clients, so the set is
 * bounded: past {@link #MAX_MODELS} names one last line says so and the rest are only in the access log's {@code
 * pricing=} field and the usage report.
 */
final class InexactPrices {

    private static final Logger logger = LoggerFactory.getLogger(InexactPrices.class);

    static final int MAX_MODELS = 1_000;

    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** Called for an outcome priced other than exactly. */
    void seen(ExchangeOutcome o) {
        String model = o.upstreamModel() != null ? o.upstreamModel() : o.model();
        if (model == null || warned.contains(model)) {
            return;
        }
        if (warned.size() >= MAX_MODELS) {
            if (warned.add("")) {
                logger.warn(
                        "{} models without an exact price were named already; further ones only show in the access"
                                + " log (pricing=) and in relaygate usage",
                        MAX_MODELS);
            }
            return;
        }
        if (warned.add(model)) {
            String name = Secrets.redact(model.length() > 128 ? model.substring(0, 128) : model);
            switch (requireBasis(o)) {
                case ESTIMATED ->
                    logger.warn(
                            "[{}] model {} is not in the catalogue: priced as {} (estimated); add it with relaygate"
                                    + " catalogue update",
                            o.requestId(),
                            name,
                            o.pricedAs());
                case UNPRICED ->
                    logger.warn(
                            "[{}] model {} matches nothing in the catalogue: charged at the fallback price (unpriced); add"
                                    + " it with relaygate catalogue update",
                            o.requestId(),
                            name);
                case EXACT -> {}
            }
        }
    }

    private static io.relaygate.core.catalogue.PriceBasis requireBasis(ExchangeOutcome o) {
        return java.util.Objects.requireNonNull(o.pricing(), "pricing");
    }
}
