package io.relaygate.server;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.Documents;
import io.relaygate.accounts.LiveDocument;
import io.relaygate.accounts.Store;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.CatalogueReader;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.core.signatures.ClientSignatures;
import io.relaygate.core.signatures.SignaturesReader;
import java.nio.file.Path;

/**
 * The operator's data this gateway reads from memory on every request: the model catalogue, from the store when an
 * operator stored one ({@code relaygate catalogue update}), else the config's {@code pricingFile} over the shipped
 * catalogue, else the shipped one; and the client signatures, from the store ({@code relaygate signatures update})
 * else the shipped ones. Each is swapped whole when the store's change channel says it changed.
 */
record OperatorData(LiveDocument<Catalogue> catalogue, LiveDocument<ClientSignatures> signatures) {

    /** How long start-up waits for the stored documents before it serves with the shipped ones. */
    static final long START_READ_TIMEOUT_MILLIS = 5_000;

    OperatorData {
        requireNonNull(catalogue, "catalogue");
        requireNonNull(signatures, "signatures");
    }

    static OperatorData of(GatewayConfig config, Store store) {
        Path file = config.scheduling().pricingFile();
        Catalogue base = file == null ? Catalogue.shipped() : CatalogueReader.readOverlay(file);
        return new OperatorData(
                new LiveDocument<>(
                        store.documents(),
                        Documents.CATALOGUE,
                        base,
                        text -> CatalogueReader.parse("stored catalogue", text, "store")),
                new LiveDocument<>(
                        store.documents(),
                        Documents.SIGNATURES,
                        ClientSignatures.shipped(),
                        text -> SignaturesReader.parse("stored signatures", text, "store")));
    }

    /** Reads the stored documents (bounded wait) and follows their changes; close to stop following. */
    AutoCloseable start(Store store) {
        return closeAll(
                catalogue.start(store, START_READ_TIMEOUT_MILLIS), signatures.start(store, START_READ_TIMEOUT_MILLIS));
    }

    /** One closeable for several, closed in order; a failing one does not stop the rest. */
    static AutoCloseable closeAll(AutoCloseable... all) {
        return () -> {
            Exception first = null;
            for (AutoCloseable c : all) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        };
    }
}
