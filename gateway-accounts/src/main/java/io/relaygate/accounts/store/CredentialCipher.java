package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.StoreException;
import io.relaygate.core.Ids;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Encrypts account credentials at rest with AES-256-GCM. A stored value is {@code v1:} followed by base64 of a random
 * 12-byte nonce and the ciphertext with its 16-byte tag (NIST SP 800-38D: 96-bit nonces, never reused under one key,
 * which random nonces guarantee for far more values than a gateway stores).
 *
 * <p>The key comes from {@code RELAYGATE_SECRET_KEY} (base64 of 32 bytes) or from {@code <dataDir>/secret.key},
 * generated on first start. Several instances sharing one store must share the key.
 *
 * <p>Rotation ({@code relaygate secret rotate}): values are encrypted under the current key and decrypted under it or
 * a previous one ({@code RELAYGATE_SECRET_KEY_PREVIOUS}, comma-separated; or {@code secret.key.previous} beside the
 * key file), the GCM tag telling which key a value was sealed under. A cipher whose keys came from the data folder
 * reads the files again when a value opens under none of its keys, so a running gateway follows a rotation made by
 * the command beside it without a restart.
 */
final class CredentialCipher {

    static final String KEY_ENV = "RELAYGATE_SECRET_KEY";
    static final String PREVIOUS_ENV = "RELAYGATE_SECRET_KEY_PREVIOUS";
    static final String KEY_FILE = "secret.key";
    static final String PREVIOUS_FILE = "secret.key.previous";
    static final String VERSION = "v1:";
    static final int KEY_BYTES = ServerSecret.BYTES;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final String PURPOSE = "credential encryption key";
    private static final String LOSS = "the stored account credentials cannot be read";

    /** The current key first, then the previous ones. */
    private volatile List<SecretKeySpec> keys;
    /** Where the keys came from when not from the environment: read again when a value opens under none. */
    private final @Nullable Path dataDir;

    CredentialCipher(byte[] key) {
        this(List.of(key), null);
    }

    private CredentialCipher(List<byte[]> keys, @Nullable Path dataDir) {
        this.keys = specs(keys);
        this.dataDir = dataDir;
    }

    private static List<SecretKeySpec> specs(List<byte[]> keys) {
        List<SecretKeySpec> out = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            requireNonNull(key, "key");
            if (key.length != KEY_BYTES) {
                throw new IllegalArgumentException("key: " + key.length + " bytes (expected: " + KEY_BYTES + ")");
            }
            out.add(new SecretKeySpec(key.clone(), "AES"));
        }
        return List.copyOf(out);
    }

    /**
     * The cipher under {@code env}'s {@value #KEY_ENV} (and {@value #PREVIOUS_ENV}), else under
     * {@code <dataDir>/secret.key} (and {@code secret.key.previous}), which is generated (readable by the owner only)
     * and announced in the log when absent.
     */
    static CredentialCipher load(Path dataDir, Map<String, String> env) {
        String fromEnv = env.get(KEY_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            List<byte[]> keys = new ArrayList<>();
            keys.add(ServerSecret.decode(fromEnv, KEY_ENV));
            String previous = env.get(PREVIOUS_ENV);
            if (previous != null) {
                for (String p : previous.split(",")) {
                    if (!p.isBlank()) {
                        keys.add(ServerSecret.decode(p, PREVIOUS_ENV));
                    }
                }
            }
            return new CredentialCipher(keys, null);
        }
        return new CredentialCipher(fileKeys(dataDir), dataDir);
    }

    private static List<byte[]> fileKeys(Path dataDir) {
        List<byte[]> keys = new ArrayList<>();
        keys.add(ServerSecret.load(dataDir, Map.of(), KEY_ENV, KEY_FILE, PURPOSE, LOSS));
        addPrevious(dataDir, keys);
        return keys;
    }

    /**
     * The key files as they are now, read without the folder's lock (a store write may hold it while it seals): each
     * file is replaced atomically, so a read sees the old content or the new.
     */
    private static List<SecretKeySpec> reread(Path dataDir) {
        Path current = dataDir.resolve(KEY_FILE);
        List<byte[]> keys = new ArrayList<>();
        try {
            keys.add(ServerSecret.decode(
                    Files.readString(current, StandardCharsets.US_ASCII), PURPOSE + " file " + current));
        } catch (IOException e) {
            throw new StoreException(PURPOSE + " file " + current + ": " + e);
        }
        addPrevious(dataDir, keys);
        return specs(keys);
    }

    private static void addPrevious(Path dataDir, List<byte[]> keys) {
        Path previous = dataDir.resolve(PREVIOUS_FILE);
        if (Files.exists(previous)) {
            try {
                keys.add(ServerSecret.decode(
                        Files.readString(previous, StandardCharsets.US_ASCII), PURPOSE + " file " + previous));
            } catch (IOException e) {
                throw new StoreException(PURPOSE + " file " + previous + ": " + e);
            }
        }
    }

    /** Whether the keys come from the environment (rotation is then the operator's: see operations.md). */
    boolean fromEnvironment() {
        return dataDir == null;
    }

    /**
     * Makes a new key file: the current key becomes {@code secret.key.previous} (an older previous one is dropped),
     * a new random key {@code secret.key}; each file is replaced atomically, under the data folder's lock. Returns the
     * cipher under the new keys.
     */
    static CredentialCipher rotateFiles(Path dataDir) {
        try {
            DirectoryLock.withLock(dataDir, () -> {
                Path current = dataDir.resolve(KEY_FILE);
                if (!Files.exists(current)) {
                    throw new StoreException("no " + current + " to rotate (expected: a data folder in use)");
                }
                AtomicFiles.write(dataDir.resolve(PREVIOUS_FILE), Files.readAllBytes(current));
                AtomicFiles.write(
                        current,
                        (Base64.getEncoder().encodeToString(Ids.randomBytes(KEY_BYTES)) + "\n")
                                .getBytes(StandardCharsets.US_ASCII));
                return null;
            });
        } catch (IOException e) {
            throw new StoreException("rotating the " + PURPOSE + " in " + dataDir + ": " + e);
        }
        return new CredentialCipher(fileKeys(dataDir), dataDir);
    }

    /** A short fingerprint of the current key (SHA-256, first 8 hex digits): which key is in use, never the key. */
    String fingerprint() {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(keys.get(0).getEncoded());
            return java.util.HexFormat.of().formatHex(d, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    String encrypt(String plain) {
        requireNonNull(plain, "plain");
        Path dir = dataDir;
        if (dir != null) {
            // a rotation beside this process: seal under the new key at once (writes are rare: account changes)
            List<SecretKeySpec> now = reread(dir);
            if (!now.equals(keys)) {
                keys = now;
            }
        }
        byte[] nonce = Ids.randomBytes(NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(0), new GCMParameterSpec(TAG_BITS, nonce));
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
        String plain = open(raw, keys, owner);
        if (plain == null && dataDir != null) {
            // the key files may have been rotated by `relaygate secret rotate` since they were read
            List<SecretKeySpec> now = reread(dataDir);
            if (!now.equals(keys)) {
                keys = now;
                plain = open(raw, now, owner);
            }
        }
        if (plain == null) {
            throw new StoreException("cannot decrypt the " + owner + ": it was encrypted under a different key than"
                    + " the ones in use (" + KEY_ENV + " or " + KEY_FILE + " in the data folder, and their previous"
                    + " keys); use the original key or add the account again");
        }
        return plain;
    }

    /** The value opened under the first of {@code under} whose tag matches, else null. */
    private static @Nullable String open(byte[] raw, List<SecretKeySpec> under, String owner) {
        for (SecretKeySpec key : under) {
            try {
                Cipher cipher = Cipher.getInstance(TRANSFORMATION);
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
                byte[] plain = cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
                return new String(plain, StandardCharsets.UTF_8);
            } catch (AEADBadTagException e) {
                // sealed under another key: try the next
            } catch (GeneralSecurityException e) {
                throw new StoreException(
                        "cannot decrypt the " + owner + ": " + e.getClass().getSimpleName());
            }
        }
        return null;
    }
}
