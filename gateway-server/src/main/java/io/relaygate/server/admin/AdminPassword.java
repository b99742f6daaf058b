package io.relaygate.server.admin;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.AdminStore;
import io.relaygate.core.Ids;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The console's admin password, stored only as a bcrypt hash (Spring Security Crypto's {@link BCryptPasswordEncoder}:
 * pure Java, maintained, no native library). On a store with no admin password the first {@code serve} generates one
 * and prints it once; {@code RELAYGATE_ADMIN_PASSWORD} sets it for unattended installs; {@code relaygate admin
 * password} resets it.
 */
public final class AdminPassword {

    /** The environment variable that sets the admin password at start-up. */
    public static final String ENV = "RELAYGATE_ADMIN_PASSWORD";

    /** bcrypt's cost: 2^11 rounds, about 0.1-0.2 s per check on one core, run off the event loops. */
    static final int COST = 11;

    /** Shortest accepted password. */
    static final int MIN_LENGTH = 12;

    /** bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused. */
    static final int MAX_BYTES = 72;

    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(COST);

    /** Length of a generated password (letters and digits: about 143 bits). */
    static final int GENERATED_LENGTH = 24;

    private AdminPassword() {}

    /** bcrypt hash of {@code password}, after {@link #check}. */
    public static String hash(String password) {
        check(password);
        return BCRYPT.encode(password);
    }

    /** Whether {@code password} matches {@code hash} (constant time in the hash comparison, bcrypt's own). */
    static boolean matches(String password, String hash) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return false;
        }
        return BCRYPT.matches(password, hash);
    }

    /** Refuses a password that is too short or too long for bcrypt, naming the rule (never the password). */
    public static void check(String password) {
        requireNonNull(password, "password");
        if (password.length() < MIN_LENGTH) {
            throw new IllegalArgumentException(
                    "password: " + password.length() + " characters (expected: at least " + MIN_LENGTH + ")");
        }
        int bytes = password.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(
                    "password: " + bytes + " bytes in UTF-8 (expected: at most " + MAX_BYTES + ", bcrypt's limit)");
        }
    }

    /** A new random password. */
    public static String generate() {
        return Ids.random(GENERATED_LENGTH);
    }

    /**
     * What start-up does: with {@code fromEnv} set, makes it the password (unless it already is); with none and no
     * password stored, stores a generated one. Completes with the generated password, to be printed once, or empty.
     */
    public static CompletionStage<Optional<String>> ensure(AdminStore store, @Nullable String fromEnv) {
        requireNonNull(store, "store");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            String wanted = fromEnv;
            check(wanted);
            return store.passwordHash()
                    .thenCompose(current -> current.isPresent() && matches(wanted, current.get())
                            ? java.util.concurrent.CompletableFuture.completedFuture(Optional.<String>empty())
                            : store.setPasswordHash(hash(wanted)).thenApply(done -> Optional.<String>empty()));
        }
        String generated = generate();
        return store.initPasswordHash(hash(generated))
                .thenApply(stored -> stored ? Optional.of(generated) : Optional.<String>empty());
    }
}
