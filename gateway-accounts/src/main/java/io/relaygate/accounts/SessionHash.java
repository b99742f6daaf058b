package io.relaygate.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
    private static final HexFormat HEX = HexFormat.of();

    private SessionHash() {}

    /** A 32-hex-digit hash, or null when the request carries nothing to tell its session by. */
    public static @Nullable String of(
            @Nullable String clientSessionId, @Nullable String systemText, @Nullable String firstUserText) {
        if (clientSessionId != null && !clientSessionId.isBlank()) {
            return hash("s\u0000", clientSessionId, null);
        }
        String system = systemText == null || systemText.startsWith(BILLING_BLOCK) ? "" : systemText;
        String user = firstUserText == null ? "" : firstUserText;
        if (system.isEmpty() && user.isEmpty()) {
            return null;
        }
        return hash("c\u0000", system, user);
    }

    /**
     * SHA-256 of {@code prefix + first} (+ NUL + {@code second}), fed in parts rather than concatenated (the same
     * bytes: every part boundary is a NUL or a plain prefix, so no surrogate pair is split), first 16 bytes in hex.
     */
    private static String hash(String prefix, String first, @Nullable String second) {
        MessageDigest sha = Sha256.digest();
        sha.update(prefix.getBytes(StandardCharsets.UTF_8));
        sha.update(first.getBytes(StandardCharsets.UTF_8));
        if (second != null) {
            sha.update((byte) 0);
            sha.update(second.getBytes(StandardCharsets.UTF_8));
        }
        return HEX.formatHex(sha.digest(), 0, 16);
    }
}
