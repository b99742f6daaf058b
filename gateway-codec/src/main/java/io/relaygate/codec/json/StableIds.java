package io.relaygate.codec.json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Ids the mappers derive from what clients and upstreams send: reduced to the characters both APIs accept, or
 * shortened to a provider's length limit by a SHA-256 hash, so the same input always gives the same id (a session
 * keeps its prompt cache key, a long tool name maps back).
 */
public final class StableIds {

    private StableIds() {}

    /** {@code id} without the characters Anthropic and OpenAI ids never contain (all but {@code [A-Za-z0-9_-]}). */
    public static String idCharacters(String id) {
        return id.replaceAll("[^A-Za-z0-9_-]", "");
    }

    /** {@code value} itself when at most {@code max} characters, else {@code u_} and 32 hex of its SHA-256. */
    public static String shortId(String value, int max) {
        return value.length() <= max ? value : "u_" + HexFormat.of().formatHex(sha256(value), 0, 16);
    }

    /** 8 hex characters of {@code value}'s SHA-256: the suffix that keeps a shortened name unique. */
    public static String hash8(String value) {
        return HexFormat.of().formatHex(sha256(value), 0, 4);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
