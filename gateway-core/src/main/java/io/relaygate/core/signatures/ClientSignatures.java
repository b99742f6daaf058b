package io.relaygate.core.signatures;

import static java.util.Objects.requireNonNull;

/**
 * The signatures of the clients the gateway recognises: one immutable snapshot, swapped whole when an operator runs
 * {@code relaygate signatures update}, so a client release that changes its prompt or headers is a data update.
 *
 * @param asOf when the signatures were captured
 * @param origin where this snapshot came from ({@code shipped}, {@code store})
 * @param claudeCode Claude Code's
 * @param codex Codex CLI's
 */
public record ClientSignatures(String asOf, String origin, Signature claudeCode, Signature codex) {

    public ClientSignatures {
        requireNonNull(asOf, "asOf");
        requireNonNull(origin, "origin");
        requireNonNull(claudeCode, "claudeCode");
        requireNonNull(codex, "codex");
    }

    /** The signatures shipped in the jar ({@code io/relaygate/core/signatures/signatures.json}), read once. */
    public static ClientSignatures shipped() {
        return Shipped.SIGNATURES;
    }

    @Override
    public String toString() {
        return "ClientSignatures[as of " + asOf + ", " + origin + "]";
    }

    /** Lazy holder: the resource is parsed on first use, once. */
    private static final class Shipped {
        static final ClientSignatures SIGNATURES = SignaturesReader.readShipped();
    }
}
