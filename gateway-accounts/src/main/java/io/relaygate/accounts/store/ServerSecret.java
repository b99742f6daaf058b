package io.relaygate.accounts.store;

import io.relaygate.accounts.StoreException;
import io.relaygate.core.Ids;
import io.relaygate.core.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 32-byte server secret (the credential key, the key-hash pepper): from an environment variable (base64), else
 * from a file in the data folder, generated on first start (readable by its owner only) and announced in the log.
 * Several instances sharing one store must share each secret: set the variable on every one.
 */
final class ServerSecret {

    private static final Logger logger = LoggerFactory.getLogger(ServerSecret.class);

    static final int BYTES = 32;

    private ServerSecret() {}

    /**
     * @param purpose what the secret is for, for the log line announcing a generated one
     * @param loss what is lost without it, for the same line
     */
    static byte[] load(
            Path dataDir, Map<String, String> env, String envName, String fileName, String purpose, String loss) {
        String fromEnv = env.get(envName);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return decode(fromEnv, envName);
        }
        Path file = dataDir.resolve(fileName);
        try {
            if (Files.exists(file)) {
                // written whole by a rename, so readable without the folder lock: a store on a read-only disk opens
                return decode(Files.readString(file, StandardCharsets.US_ASCII), purpose + " file " + file);
            }
            Files.createDirectories(dataDir);
            return DirectoryLock.withLock(dataDir, () -> readOrGenerate(file, envName, purpose, loss));
        } catch (IOException e) {
            throw new StoreException(purpose + " file " + file + ": " + e);
        }
    }

    /** The secret in {@code envName}, else null (a second, optional secret such as the previous key). */
    static byte @Nullable [] optional(Map<String, String> env, String envName) {
        String v = env.get(envName);
        return v == null || v.isBlank() ? null : decode(v, envName);
    }

    private static byte[] readOrGenerate(Path file, String envName, String purpose, String loss) throws IOException {
        if (Files.exists(file)) {
            return decode(Files.readString(file, StandardCharsets.US_ASCII), purpose + " file " + file);
        }
        byte[] generated = Ids.randomBytes(BYTES);
        AtomicFiles.write(
                file, (Base64.getEncoder().encodeToString(generated) + "\n").getBytes(StandardCharsets.US_ASCII));
        logger.warn(
                "Generated the {} {} (readable by its owner only). Keep it: without it {}. Several instances sharing"
                        + " one store must use the same one: set {} to this file's content (base64) on every"
                        + " instance.",
                purpose,
                file.toAbsolutePath(),
                loss,
                envName);
        return generated;
    }

    static byte[] decode(String text, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": not base64 (expected: " + BYTES
                    + " random bytes in base64, e.g. the output of `openssl rand -base64 32`)");
        }
        if (key.length != BYTES) {
            throw new ConfigException(source + ": " + key.length + " bytes (expected: " + BYTES
                    + " random bytes in base64, e.g. the output of `openssl rand -base64 32`)");
        }
        return key;
    }
}
