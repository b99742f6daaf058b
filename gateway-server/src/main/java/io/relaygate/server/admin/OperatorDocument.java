package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.core.config.ConfigException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * One kind of operator data kept whole in the store (the model catalogue, the client signatures): what the store
 * holds, else the shipped copy; and a new one validated, stored for every instance and audited. The CLI and the admin
 * API both go through it.
 *
 * @param <T> the parsed document
 */
final class OperatorDocument<T> {

    /** Parses a document's text; {@code where} names its source in errors, {@code origin} is kept on the result. */
    interface Parser<T> {
        T parse(String where, String text, String origin);
    }

    /** The stored form of a document's text (JSON or YAML in, one canonical JSON out). */
    interface Canonical {
        String canonical(String where, String text);
    }

    private final String name;
    private final Parser<T> parser;
    private final Canonical canonical;
    private final Supplier<T> shipped;
    private final BiConsumer<ObjectNode, T> auditSummary;

    /**
     * @param name the store's document name, also the audit's target ({@code catalogue}, {@code signatures})
     * @param auditSummary what the audit line records of a stored document
     */
    OperatorDocument(
            String name,
            Parser<T> parser,
            Canonical canonical,
            Supplier<T> shipped,
            BiConsumer<ObjectNode, T> auditSummary) {
        this.name = name;
        this.parser = parser;
        this.canonical = canonical;
        this.shipped = shipped;
        this.auditSummary = auditSummary;
    }

    /** The document the store holds, else the shipped one. */
    CompletionStage<T> current(Store store) {
        return store.documents().get(name).thenApply(text -> text.map(t -> parser.parse("stored " + name, t, "store"))
                .orElseGet(shipped));
    }

    /**
     * Validates {@code text} (JSON or YAML) and stores it for every instance on {@code store}.
     *
     * @throws IllegalArgumentException naming the source and the bad key when it is not valid
     */
    CompletionStage<T> update(Store store, String where, String text, String actor) {
        String stored;
        T parsed;
        try {
            stored = canonical.canonical(where, text);
            parsed = parser.parse(where, stored, "store");
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return store.documents().put(name, stored).thenApply(ignored -> {
            ObjectNode after = Views.JSON.createObjectNode();
            auditSummary.accept(after, parsed);
            Audit.change(actor, name + ".update", name, null, after);
            return parsed;
        });
    }
}
