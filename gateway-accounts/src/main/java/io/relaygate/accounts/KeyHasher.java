package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * How a gateway key's secret is stored: {@code p1:} followed by base64 of HMAC-SHA-256 under the server's pepper of
 * {@code salt || secret} (RFC 2104). The pepper never reaches the store, so a copy of the store alone (a Redis dump, a
 * backup of the data folder) is not enough to test guesses against the hashes.
 *
 * <p>Keys made before the pepper carry the old form, base64 of SHA-256 of {@code salt || secret}; they still match,
 * and {@link ApiKeyService} rewrites them in the new form on their first successful use (the secret, needed to compute
 * the new hash, only exists in the client's hands, so no one-off command can do it).
 *
 * <p>Comparisons are constant-time ({@link MessageDigest#isEqual}). Thread-safe: one {@link Mac} and one digest ({@link Sha256}) per thread.
 */
public final class KeyHasher {

    static final String PEPPERED = "p1:";

    /** What a presented secret is, against a stored hash. */
    public enum Match {
        /** Wrong secret (or a hash this hasher cannot check). */
        NO,
        /** The right secret. */
        YES,
        /** The right secret against a hash of the old, unpeppered form: store {@link #hash} of it instead. */
        YES_UNPEPPERED
    }

    private final @Nullable SecretKeySpec pepper;
    private final @Nullable ThreadLocal<Mac> macs;

    private KeyHasher(byte @Nullable [] pepper) {
        this.pepper = pepper == null ? null : new SecretKeySpec(pepper.clone(), "HmacSHA256");
        this.macs = pepper == null ? null : ThreadLocal.withInitial(this::newMac);
    }

    /** The old form only: what a store without a pepper (tests, an in-memory store) uses. */
    public static KeyHasher unpeppered() {
        return new KeyHasher(null);
    }

    /** Hashes under {@code pepper} (at least 32 bytes); checks both forms. */
    public static KeyHasher peppered(byte[] pepper) {
        requireNonNull(pepper, "pepper");
        if (pepper.length < 32) {
            throw new IllegalArgumentException("pepper: " + pepper.length + " bytes (expected: at least 32)");
        }
        return new KeyHasher(pepper);
    }

    public boolean isPeppered() {
        return pepper != null;
    }

    /** The stored form of {@code secret}'s hash under {@code salt}. */
    public String hash(byte[] salt, String secret) {
        ThreadLocal<Mac> m = macs;
        if (m == null) {
            return Base64.getEncoder().encodeToString(sha256(salt, secret));
        }
        return PEPPERED + Base64.getEncoder().encodeToString(hmac(m.get(), salt, secret));
    }

    /** Whether {@code secret} is the one {@code storedHash} was made of; constant-time in what it compares. */
    public Match verify(byte[] salt, String storedHash, String secret) {
        try {
            if (storedHash.startsWith(PEPPERED)) {
                ThreadLocal<Mac> m = macs;
                if (m == null) {
                    return Match.NO;
                }
                byte[] expected = Base64.getDecoder().decode(storedHash.substring(PEPPERED.length()));
                return MessageDigest.isEqual(expected, hmac(m.get(), salt, secret)) ? Match.YES : Match.NO;
            }
            byte[] expected = Base64.getDecoder().decode(storedHash);
            if (!MessageDigest.isEqual(expected, sha256(salt, secret))) {
                return Match.NO;
            }
            return pepper == null ? Match.YES : Match.YES_UNPEPPERED;
        } catch (IllegalArgumentException e) {
            return Match.NO;
        }
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(requireNonNull(pepper, "pepper"));
            return mac;
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is required on every Java platform (Mac Javadoc)
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /**
     * SHA-256 of {@code secret}: what a secret already verified is recognised by on its next use (see
     * {@link ApiKeyService}), so that the secret itself is never kept past its request. One block of SHA-256 where
     * {@link #verify} costs five (HMAC's inner and outer hashes) and a base64 decode. A secret is 32 random characters
     * (about 190 bits), so its unsalted hash gives nothing to guess against.
     */
    static byte[] fingerprint(String secret) {
        return Sha256.digest().digest(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(Mac mac, byte[] salt, String secret) {
        mac.update(salt);
        return mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] salt, String secret) {
        MessageDigest sha = Sha256.digest();
        sha.update(salt);
        return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
    }
}
