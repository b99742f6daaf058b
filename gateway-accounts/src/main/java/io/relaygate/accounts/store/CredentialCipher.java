package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.StoreException;
import io.relaygate.core.Ids;
import io.relaygate.core.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts account credentials at rest with AES-256-GCM. A stored value is {@code v1:} followed by base64 of a random
 * 12-byte nonce and the ciphertext with its 16-byte tag (NIST SP 800-38D: 96-bit nonces, never reused under one key,
 * which random nonces guarantee for far more values than a gateway stores).
 *
 * <p>The key comes from {@code RELAYGATE_SECRET_KEY} (base64 of 32 bytes) or from {@code <dataDir>/secret.key},
 * generated on first start. Several instances sharing one store must share the key.
 */
final class CredentialCipher {

    private static final Logger logger = LoggerFactory.getLogger(CredentialCipher.class);

    static final String KEY_ENV = "RELAYGATE_SECRET_KEY";
    static final String KEY_FILE = "secret.key";
    static final String VERSION = "v1:";
    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;

    CredentialCipher(byte[] key) {
        requireNonNull(key, "key");
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("key: " + key.length + " bytes (expected: " + KEY_BYTES + ")");
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    /**
     * The cipher under {@code env}'s {@value #KEY_ENV}, else under {@code <dataDir>/secret.key}, which is generated
     * (readable by the owner only) and announced in the log when absent.
     */
    static CredentialCipher load(Path dataDir, Map<String, String> env) {
        String fromEnv = env.get(KEY_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new CredentialCipher(decodeKey(fromEnv, KEY_ENV));
        }
        Path file = dataDir.resolve(KEY_FILE);
        try {
            Files.createDirectories(dataDir);
            return new CredentialCipher(DirectoryLock.withLock(dataDir, () -> readOrGenerate(file)));
        } catch (IOException e) {
            throw new StoreException("secret key file " + file + ": " + e);
        }
    }

    private static byte[] readOrGenerate(Path file) throws IOException {
        if (Files.exists(file)) {
            return decodeKey(Files.readString(file, StandardCharsets.US_ASCII), "secret key file " + file);
        }
        byte[] generated = Ids.randomBytes(KEY_BYTES);
        AtomicFiles.write(
                file, (Base64.getEncoder().encodeToString(generated) + "\n").getBytes(StandardCharsets.US_ASCII));
        logger.warn(
                "Generated the credential encryption key {} (readable by its owner only). Keep it: without it the"
                        + " stored account credentials cannot be read. Several instances sharing one store must use the"
                        + " same key: set {} to this file's content (base64) on every instance.",
                file.toAbsolutePath(),
                KEY_ENV);
        return generated;
    }

    private static byte[] decodeKey(String text, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": not base64 (expected: " + KEY_BYTES
                    + " random bytes in base64, e.g. the output of `openssl rand -base64 32`)");
        }
        if (key.length != KEY_BYTES) {
            throw new ConfigException(source + ": " + key.length + " bytes (expected: " + KEY_BYTES
                    + " random bytes in base64, e.g. the output of `openssl rand -base64 32`)");
        }
        return key;
    }

    String encrypt(String plain) {
        requireNonNull(plain, "plain");
        byte[] nonce = Ids.randomBytes(NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length);
            out.put(nonce).put(sealed);
            return VERSION + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            // AES/GCM/NoPadding is required on every Java platform (Cipher Javadoc)
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * @param owner what the value belongs to, for the error message, e.g. {@code credential of account acme}
     * @throws StoreException naming {@code owner} (never the value) when it is malformed or was sealed under another
     *     key
     */
    String decrypt(String stored, String owner) {
        requireNonNull(stored, "stored");
        if (!stored.startsWith(VERSION)) {
            throw new StoreException("cannot decrypt the " + owner + ": unknown format (expected: " + VERSION + "…)");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(stored.substring(VERSION.length()));
        } catch (IllegalArgumentException e) {
            throw new StoreException("cannot decrypt the " + owner + ": not base64");
        }
        if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new StoreException("cannot decrypt the " + owner + ": truncated value");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
            byte[] plain = cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new StoreException("cannot decrypt the " + owner + ": it was encrypted under a different key than"
                    + " the one in use (" + KEY_ENV + " or " + KEY_FILE + " in the data folder); use the original"
                    + " key or add the account again");
        } catch (GeneralSecurityException e) {
            throw new StoreException(
                    "cannot decrypt the " + owner + ": " + e.getClass().getSimpleName());
        }
    }
}
