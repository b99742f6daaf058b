package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreException;
import io.relaygate.core.Account;
import io.relaygate.core.config.StoreConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code relaygate secret rotate}: every account's credential and proxy URL sealed again under the current credential
 * key, while the gateways keep serving. With the key in the data folder the command makes the new key itself (the old
 * one stays as {@code secret.key.previous}, and a gateway beside it follows at its next read or write); with the key
 * in the environment the operator sets the new key and the previous one first (operations.md, "Rotating the credential
 * key").
 *
 * <p>Each account is rewritten under the lock its OAuth token refresh takes, read fresh inside it, so a refresh on a
 * running gateway is never overwritten with an older token.
 */
public final class CredentialRotation {

    /** What a rotation did. */
    public record Result(int accounts, String fingerprint, boolean keyGenerated) {}

    /** The lock an OAuth refresh of the account takes (OAuthRefresher), so the two never interleave. */
    static String refreshLock(String accountId) {
        return "oauth-refresh:" + accountId;
    }

    private static final Duration LOCK_TTL = Duration.ofSeconds(30);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(60);
    private static final String OWNER = "secret-rotate";

    private CredentialRotation() {}

    /** Rotates (data-folder key) or applies (environment key) the credential key; blocks: for the CLI. */
    public static Result rotate(StoreConfig config, Map<String, String> env) {
        requireNonNull(config, "config");
        requireNonNull(env, "env");
        CredentialCipher loaded = CredentialCipher.load(config.dataDir(), env);
        boolean generate = !loaded.fromEnvironment();
        if (generate) {
            // every value must open before a new key is made, or it would be lost with the next rotation
            try (Store check = StoreFactory.open(config, env, loaded)) {
                await(check.accounts().list());
            }
        }
        CredentialCipher cipher = generate ? CredentialCipher.rotateFiles(config.dataDir()) : loaded;
        int n = 0;
        try (Store store = StoreFactory.open(config, env, cipher)) {
            List<Account> accounts = await(store.accounts().list());
            for (Account a : accounts) {
                if (reseal(store, a.id())) {
                    n++;
                }
            }
        }
        return new Result(n, cipher.fingerprint(), generate);
    }

    private static boolean reseal(Store store, String accountId) {
        String lock = refreshLock(accountId);
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (!await(store.locks().tryLock(lock, OWNER, LOCK_TTL))) {
            if (System.nanoTime() - deadline > 0) {
                throw new StoreException("account " + accountId + ": its token refresh lock stayed taken for "
                        + LOCK_WAIT.toSeconds() + " s; run the command again");
            }
            pause();
        }
        try {
            Account fresh = await(store.accounts().findById(accountId)).orElse(null);
            if (fresh == null) {
                return false; // removed meanwhile
            }
            await(store.accounts().update(fresh));
            return true;
        } finally {
            await(store.locks().unlock(lock, OWNER));
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for an account's refresh lock");
        }
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException(String.valueOf(cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while rotating the credential key");
        } catch (TimeoutException e) {
            throw new StoreException("the store did not answer within 30 s");
        }
    }
}
