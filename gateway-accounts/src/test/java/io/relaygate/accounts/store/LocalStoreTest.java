package io.relaygate.accounts.store;

import static io.relaygate.accounts.store.Futures.await;
import static io.relaygate.accounts.store.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.DuplicateNameException;
import io.relaygate.accounts.Store;
import io.relaygate.core.ApiKey;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LocalStoreTest extends StoreContract {

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;

    @Override
    Store openStore(Map<String, String> env) {
        return LocalStore.open(dataDir, CredentialCipher.load(dataDir, env), StoreFactory.pepper(dataDir, env), ticker);
    }

    @Override
    String rawState() throws Exception {
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.filter(p -> p.toString().endsWith(".json"))
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .collect(Collectors.joining("\n"));
        }
    }

    @Override
    void advancePastRecheck() {
        nanos.addAndGet(FileTable.CHECK_INTERVAL.toNanos() + 1);
    }

    @Test
    void anotherProcessesChangeIsSeenAtOnceThroughTheFileWatchAndTheGatewayIsTold() throws Exception {
        Store gateway = open();
        Store cli = open();
        ApiKey key = await(cli.keys().create(key("alice")));
        assertThat(await(gateway.keys().findById(key.id()))).contains(key);
        java.util.concurrent.BlockingQueue<io.relaygate.accounts.StoreChange> told =
                new java.util.concurrent.LinkedBlockingQueue<>();
        gateway.changes().subscribe(told::add);

        await(cli.keys().update(key.withEnabled(false)));

        // the fake ticker stands still: only the file watch can make the gateway read the file again
        io.relaygate.accounts.StoreChange change = told.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(change)
                .as("the watch tells the gateway's listeners that keys changed")
                .isEqualTo(new io.relaygate.accounts.StoreChange(io.relaygate.accounts.StoreChange.Kind.KEY, null));
        assertThat(await(gateway.keys().findById(key.id())).orElseThrow().enabled())
                .as("the next lookup reads the replaced file")
                .isFalse();
    }

    @Test
    void aRestartLosesNothing() {
        Store first = open();
        ApiKey key = await(first.keys().create(key("alice")));
        await(first.accounts().create(account("main", 10)));
        first.close();

        Store second = open();

        assertThat(await(second.keys().findById(key.id()))).contains(key);
        assertThat(await(second.accounts().list())).hasSize(1);
        assertThat(dataDir.resolve("keys.json")).exists();
        try (Stream<Path> files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary file is left behind")
                    .noneMatch(n -> n.endsWith(".tmp"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void twoInstancesCreatingTheSameNameAtOnceAddItOnce() {
        Store a = open();
        Store b = open();
        for (int i = 0; i < 20; i++) {
            CompletableFuture<ApiKey> fromA = a.keys().create(key("k" + i)).toCompletableFuture();
            CompletableFuture<ApiKey> fromB = b.keys().create(key("k" + i)).toCompletableFuture();
            CompletableFuture.allOf(fromA, fromB).handle((v, e) -> null).join();
            assertThat(fromA.isCompletedExceptionally() ^ fromB.isCompletedExceptionally())
                    .as("exactly one of two racing creates of k%d wins", i)
                    .isTrue();
            CompletableFuture<ApiKey> loser = fromA.isCompletedExceptionally() ? fromA : fromB;
            assertThat(failure(loser)).isInstanceOf(DuplicateNameException.class);
        }
        advancePastRecheck();
        assertThat(await(a.keys().list())).hasSize(20);
        assertThat(await(b.keys().list())).hasSize(20);
    }

    @Test
    void filesAndTheGeneratedKeyAreReadableByTheOwnerOnly() throws Exception {
        Store store = open();
        await(store.accounts().create(account("main", 10)));
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(dataDir.resolve("accounts.json")).exists();
            return;
        }
        Set<PosixFilePermission> ownerOnly = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(dataDir.resolve(CredentialCipher.KEY_FILE)))
                .isEqualTo(ownerOnly);
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("accounts.json")))
                .isEqualTo(ownerOnly);
    }

    @Test
    void describeNamesTheDataFolder() {
        assertThat(open().describe()).isEqualTo("embedded store in " + dataDir);
    }

    @Override
    io.relaygate.accounts.ledger.RequestRecords boundedRequests(int keep) {
        // about 50 records a file, two files
        return new LocalRequestRecords(dataDir, Runnable::run, 50 * 600, 2);
    }
}
