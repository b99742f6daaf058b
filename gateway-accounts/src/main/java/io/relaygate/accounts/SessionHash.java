package io.relaygate.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The session a request belongs to, for sticky scheduling: the client's own session id when it sends one (Claude
 * Code's session, Codex's session id or prompt cache key), else a hash of the system prompt and the first user
 * message, which stay the same for every turn of one conversation. Claude Code's billing-header block changes between
 * versions and carries no conversation, so it is left out.
 */
public final class SessionHash {

    private static final String BILLING_BLOCK = "x-anthropic-billing-header:";

    private SessionHash() {}

    /** A 32-hex-digit hash, or null when the request carries nothing to tell its session by. */
    public static @Nullable String of(
            @Nullable String clientSessionId, @Nullable String systemText, @Nullable String firstUserText) {
        if (clientSessionId != null && !clientSessionId.isBlank()) {
            return hash("s\u0000" + clientSessionId);
        }
        String system = systemText == null || systemText.startsWith(BILLING_BLOCK) ? "" : systemText;
        String user = firstUserText == null ? "" : firstUserText;
        if (system.isEmpty() && user.isEmpty()) {
            return null;
        }
        return hash("c\u0000" + system + "\u0000" + user);
    }

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
