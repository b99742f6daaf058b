package io.relaygate.accounts;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Operator data kept whole in the store, one text document per name: the model catalogue and the client signatures,
 * which override what the jar ships. A {@link #put} is published on the change channel ({@link StoreChange.Kind#CATALOGUE},
 * {@link StoreChange.Kind#SIGNATURES}), so every instance reloads it within the change channel's latency. Read at
 * start and on change only, never per request. Redis: the string {@code <prefix>doc:<name>}; embedded store: {@code
 * <name>.json} in the data folder (written atomically; another process's write is seen by the file watch).
 */
public interface Documents {

    /** The model catalogue. */
    String CATALOGUE = "catalogue";

    /** The client signatures. */
    String SIGNATURES = "signatures";

    /** The managed settings signed-in Claude Code clients receive, per group ({@code GET /managed/settings}). */
    String MANAGED_SETTINGS = "managed-settings";

    /** The stored text of {@code name}, or empty when none was stored (the shipped one applies). */
    CompletionStage<Optional<String>> get(String name);

    /** Stores {@code text} under {@code name} (replacing what was there) and tells every instance. */
    CompletionStage<Void> put(String name, String text);

    /**
     * Stores {@code text} under {@code name} only if what is stored is still {@code expected} (empty: nothing is
     * stored), and then tells every instance; false, with nothing written, when another write came in between. A
     * read-change-write caller reads again and redoes its change, so two operators' edits of different parts of one
     * document both stay. Atomic on Redis (one script) and within an embedded store's process (its one I/O thread).
     */
    CompletionStage<Boolean> replace(String name, Optional<String> expected, String text);

    /** Removes {@code name} (the shipped one applies again) and tells every instance. */
    CompletionStage<Void> remove(String name);

    /** The change kind a write of {@code name} is published as. */
    static StoreChange.Kind changeKind(String name) {
        return switch (name) {
            case CATALOGUE -> StoreChange.Kind.CATALOGUE;
            case SIGNATURES -> StoreChange.Kind.SIGNATURES;
            case MANAGED_SETTINGS -> StoreChange.Kind.SETTINGS;
            default ->
                throw new IllegalArgumentException("document: " + name + " (expected: " + CATALOGUE + ", " + SIGNATURES
                        + " or " + MANAGED_SETTINGS + ")");
        };
    }
}
