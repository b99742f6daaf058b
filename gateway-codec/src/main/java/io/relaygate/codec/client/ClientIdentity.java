package io.relaygate.codec.client;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.ClientKind;
import org.jspecify.annotations.Nullable;

/**
 * The client a request came from, and why the gateway thinks so.
 *
 * @param kind Claude Code, Codex or other
 * @param evidence the marker that decided it, for logs (never a secret: header names and client versions only)
 * @param version the client's version when its user agent says it
 * @param sessionId the client's own session id (Claude Code's session, Codex's session-id / prompt_cache_key)
 */
public record ClientIdentity(
        ClientKind kind,
        String evidence,
        @Nullable String version,
        @Nullable String sessionId) {

    public ClientIdentity {
        requireNonNull(kind, "kind");
        requireNonNull(evidence, "evidence");
    }
}
