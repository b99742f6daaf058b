package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.AccountStore;
import io.relaygate.accounts.ApiKeyStore;
import io.relaygate.accounts.Documents;
import io.relaygate.accounts.KeyHasher;
import io.relaygate.accounts.Locks;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.StoreChanges;
import io.relaygate.accounts.StoreException;
import io.relaygate.accounts.state.LocalSharedState;
import io.relaygate.accounts.state.SharedState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The embedded store: {@code keys.json} and {@code accounts.json} under the data folder, each a {@link FileTable},
 * and the operator's documents ({@code catalogue.json}, {@code signatures.json}, {@link LocalDocuments}).
 * One daemon thread does the file I/O for both, so callers (event loops included) never wait on the disk.
 */
final class LocalStore implements Store {

    private final Path dataDir;
    private final ScheduledExecutorService io;
    private final KeyTable keys;
    private final AccountTable accounts;
    private final StateFile stateFile;
    private final LocalSharedState state;
    private final Locks locks;
    private final LocalAdminStore admin;
    private final LocalDocuments documents;
    private final ChangeFeed changes = ChangeFeed.inProcess();
    private final FileWatch watch;
    private final LocalRequestRecords requests;
    private final PeopleTable people;
    private final LocalSignInStore signIns;

    private LocalStore(Path dataDir, CredentialCipher cipher, KeyHasher hasher, Ticker ticker) {
        this.dataDir = dataDir;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "relaygate-store-io");
            t.setDaemon(true);
            return t;
        });
        // close() saves the state itself: a pending delayed save need not hold the shutdown up
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.io = executor;
        FileTable<io.relaygate.core.ApiKey> keyFile = new FileTable<>(dataDir, KeyCodec.INSTANCE, io, ticker);
        FileTable<io.relaygate.core.Account> accountFile =
                new FileTable<>(dataDir, new AccountCodec(cipher), io, ticker);
        this.keys = new KeyTable(keyFile, changes, hasher);
        this.accounts = new AccountTable(accountFile, changes);
        this.documents = new LocalDocuments(dataDir, io, changes);
        FileTable<io.relaygate.accounts.people.Person> peopleFile =
                new FileTable<>(dataDir, PersonCodec.INSTANCE, io, ticker);
        this.people = new PeopleTable(peopleFile, changes);
        this.signIns = new LocalSignInStore(dataDir, io, java.time.Clock.systemUTC(), changes);
        // another process (the CLI) replaced a file: re-read it at the next lookup and drop what sits above it
        this.watch = FileWatch.start(
                dataDir,
                Map.of(
                        keyFile.file().getFileName().toString(),
                        () -> {
                            keyFile.recheck();
                            changes.deliver(new StoreChange(StoreChange.Kind.KEY, null));
                        },
                        accountFile.file().getFileName().toString(),
                        () -> {
                            accountFile.recheck();
                            changes.deliver(new StoreChange(StoreChange.Kind.ACCOUNT, null));
                        },
                        peopleFile.file().getFileName().toString(),
                        () -> {
                            peopleFile.recheck();
                            changes.deliver(new StoreChange(StoreChange.Kind.KEY, null));
                        },
                        LocalDocuments.fileName(Documents.CATALOGUE),
                        () -> changes.deliver(new StoreChange(StoreChange.Kind.CATALOGUE, null)),
                        LocalDocuments.fileName(Documents.SIGNATURES),
                        () -> changes.deliver(new StoreChange(StoreChange.Kind.SIGNATURES, null))));
        this.stateFile = new StateFile(dataDir, io);
        this.state = new LocalSharedState(stateFile.load(), stateFile);
        stateFile.attach(state);
        this.locks = new LocalLocks(System::nanoTime);
        this.requests = new LocalRequestRecords(
                dataDir, io, LocalRequestRecords.DEFAULT_MAX_FILE_BYTES, LocalRequestRecords.DEFAULT_FILES);
        this.admin = new LocalAdminStore(dataDir, io, java.time.Clock.systemUTC());
    }

    /** Opens (creating the folder when needed) the store under {@code dataDir}. */
    static LocalStore open(Path dataDir, CredentialCipher cipher, KeyHasher hasher, Ticker ticker) {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(cipher, "cipher");
        requireNonNull(ticker, "ticker");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException("data folder " + dataDir + ": cannot create it (" + e + ")");
        }
        return new LocalStore(dataDir, cipher, requireNonNull(hasher, "hasher"), ticker);
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
    public SharedState state() {
        return state;
    }

    @Override
    public io.relaygate.accounts.AdminStore admin() {
        return admin;
    }

    @Override
    public io.relaygate.accounts.people.PeopleStore people() {
        return people;
    }

    @Override
    public io.relaygate.accounts.people.SignInStore signIns() {
        return signIns;
    }

    @Override
    public Documents documents() {
        return documents;
    }

    @Override
    public Locks locks() {
        return locks;
    }

    @Override
    public StoreChanges changes() {
        return changes;
    }

    @Override
    public io.relaygate.accounts.ledger.RequestRecords requests() {
        return requests;
    }

    @Override
    public String describe() {
        return "embedded store in " + dataDir;
    }

    /**
     * Saves the shared state and lets queued writes finish: each is a whole-file atomic replace, so none is half done
     * either way.
     */
    @Override
    public void close() {
        if (io.isShutdown()) {
            return;
        }
        watch.close();
        io.execute(stateFile::saveNow);
        io.shutdown();
        // Wait even when the closing thread was interrupted (a stopped `serve`): returning early would let the last
        // save land after the caller believes the store closed.
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                io.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
