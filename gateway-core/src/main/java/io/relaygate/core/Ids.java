package io.relaygate.core;

import java.security.SecureRandom;

/** Random identifiers and secrets from a {@link SecureRandom}, in a URL- and header-safe alphabet. */
public final class Ids {

    private static final char[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    /** {@code length} random characters from {@code [a-zA-Z0-9]}. */
    public static String random(int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length: " + length + " (expected: > 0)");
        }
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /**
     * {@code length} characters from {@code [a-zA-Z0-9]} for identifiers that are not secrets (request ids, the ids
     * of converted messages and items): unique enough, and cheap on the hot path, where the secure generator's lock
     * and reads of the system's entropy source showed up in profiles. Never for keys, salts or tokens.
     */
    public static String unique(int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length: " + length + " (expected: > 0)");
        }
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[r.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /** Random bytes, e.g. for salts and keys. */
    public static byte[] randomBytes(int length) {
        byte[] out = new byte[length];
        RANDOM.nextBytes(out);
        return out;
    }
}
