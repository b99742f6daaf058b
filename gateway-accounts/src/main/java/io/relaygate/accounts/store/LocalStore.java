package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.AccountStore;
import io.relaygate.accounts.ApiKeyStore;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The embedded store: {@code keys.json} and {@code accounts.json} under the data folder, each a {@link FileTable}.
 * One daemon thread does the file I/O for both, so callers (event loops included) never wait on the disk.
 */
final class LocalStore implements Store {

    private final Path dataDir;
    private final ExecutorService io;
    private final KeyTable keys;
    private final AccountTable accounts;

    private LocalStore(Path dataDir, CredentialCipher cipher, Ticker ticker) {
        this.dataDir = dataDir;
        this.io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "relaygate-store-io");
            t.setDaemon(true);
            return t;
        });
        this.keys = new KeyTable(new FileTable<>(dataDir, KeyCodec.INSTANCE, io, ticker));
        this.accounts = new AccountTable(new FileTable<>(dataDir, new AccountCodec(cipher), io, ticker));
    }

    /** Opens (creating the folder when needed) the store under {@code dataDir}. */
    static LocalStore open(Path dataDir, CredentialCipher cipher, Ticker ticker) {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(cipher, "cipher");
        requireNonNull(ticker, "ticker");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException("data folder " + dataDir + ": cannot create it (" + e + ")");
        }
        return new LocalStore(dataDir, cipher, ticker);
    }

    @Override
    public ApiKeyStore keys() {
        return keys;
    }

    @Override
    public AccountStore accounts() {
        return accounts;
    }

    @Override
    public String describe() {
        return "embedded store in " + dataDir;
    }

    /** Lets queued writes finish: each is a whole-file atomic replace, so none is half done either way. */
    @Override
    public void close() {
        io.shutdown();
    }
}
