package io.relaygate.accounts.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.StoreException;
import io.relaygate.accounts.people.SignInStore;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Sign-in state of the embedded store: one small file per record, {@code signin/<kind>/<id>.json} in the data folder
 * ({@code {"value":…,"until":<epoch millis>}}), each written atomically. One file per record lets the CLI create a
 * sign-in link while the gateway serves, without either rewriting the other's records; the gateway reads the file
 * when asked. Every operation runs on the store's one I/O thread, so within a process a compare-and-set cannot
 * interleave; {@link #take} renames the file away first, which only one process can do.
 */
final class LocalSignInStore implements SignInStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final Path root;
    private final Executor io;
    private final Clock clock;
    /** Told of a session's end or rotation, so every instance of this process drops what it checked of it. */
    private final ChangeFeed changes;

    LocalSignInStore(Path dataDir, Executor io, Clock clock, ChangeFeed changes) {
        this.changes = changes;
        this.root = dataDir.resolve("signin");
        this.io = io;
        this.clock = clock;
    }

    private Path file(Kind kind, String id) {
        if (!SAFE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("sign-in record id: not of [A-Za-z0-9_-] (expected: an id)");
        }
        return root.resolve(kind.wireName()).resolve(id + ".json");
    }

    /** {@code write}, then a change of session {@code id} when it is one and {@code changed} says it changed. */
    private <T> CompletionStage<T> told(
            Kind kind, String id, CompletionStage<T> write, java.util.function.Predicate<T> changed) {
        if (kind != Kind.SESSION) {
            return write;
        }
        return write.thenCompose(v -> changed.test(v)
                ? changes.after(CompletableFuture.completedFuture(v), x -> StoreChange.session(id))
                : CompletableFuture.completedFuture(v));
    }

    @Override
    public CompletionStage<Void> put(Kind kind, String id, String value, Duration ttl) {
        Path f = file(kind, id);
        return CompletableFuture.runAsync(() -> write(f, value, ttl), io);
    }

    @Override
    public CompletionStage<Optional<String>> get(Kind kind, String id) {
        Path f = file(kind, id);
        return CompletableFuture.supplyAsync(() -> read(f), io);
    }

    @Override
    public CompletionStage<Boolean> replace(Kind kind, String id, String expected, String next, Duration ttl) {
        Path f = file(kind, id);
        return told(
                kind,
                id,
                CompletableFuture.supplyAsync(
                        () -> locked(() -> {
                            Optional<String> now = read(f);
                            if (now.isEmpty() || !now.get().equals(expected)) {
                                return false;
                            }
                            write(f, next, ttl);
                            return true;
                        }),
                        io),
                won -> won);
    }

    @Override
    public CompletionStage<Optional<String>> take(Kind kind, String id) {
        Path f = file(kind, id);
        return told(
                kind,
                id,
                CompletableFuture.supplyAsync(
                        () -> {
                            Path taken = f.resolveSibling(id + ".taken." + Long.toHexString(System.nanoTime()));
                            try {
                                Files.move(f, taken, StandardCopyOption.ATOMIC_MOVE);
                            } catch (NoSuchFileException e) {
                                return Optional.<String>empty();
                            } catch (AtomicMoveNotSupportedException e) {
                                throw new StoreException("sign-in records: the data folder cannot rename atomically");
                            } catch (IOException e) {
                                throw new StoreException("sign-in record: cannot take it (" + e + ")");
                            }
                            try {
                                return read(taken);
                            } finally {
                                delete(taken);
                            }
                        },
                        io),
                Optional::isPresent);
    }

    @Override
    public CompletionStage<Boolean> delete(Kind kind, String id) {
        Path f = file(kind, id);
        return told(kind, id, CompletableFuture.supplyAsync(() -> read(f).isPresent() & delete(f), io), gone -> gone);
    }

    @Override
    public CompletionStage<Map<String, String>> all(Kind kind) {
        Path dir = root.resolve(kind.wireName());
        return CompletableFuture.supplyAsync(
                () -> {
                    Map<String, String> out = new TreeMap<>();
                    if (!Files.isDirectory(dir)) {
                        return out;
                    }
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                        for (Path f : files) {
                            String name = f.getFileName().toString();
                            read(f).ifPresent(v -> out.put(name.substring(0, name.length() - 5), v));
                        }
                    } catch (IOException e) {
                        throw new StoreException("sign-in records: cannot list them (" + e + ")");
                    }
                    return out;
                },
                io);
    }

    /**
     * Runs a read-then-write with no other one in between: the monitor keeps out the other stores of this process on
     * the same folder (each has its own I/O thread), the file lock other processes (the CLI).
     */
    private <T> T locked(java.util.function.Supplier<T> step) {
        synchronized (LocalSignInStore.class) {
            try {
                Files.createDirectories(root);
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                                root.resolve(".lock"),
                                java.nio.file.StandardOpenOption.CREATE,
                                java.nio.file.StandardOpenOption.WRITE);
                        java.nio.channels.FileLock lock = ch.lock()) {
                    return step.get();
                }
            } catch (IOException e) {
                throw new StoreException("sign-in records: cannot lock them (" + e + ")");
            }
        }
    }

    private void write(Path f, String value, Duration ttl) {
        try {
            Files.createDirectories(f.getParent());
            byte[] bytes = JSON.writeValueAsBytes(JSON.createObjectNode()
                    .put("value", value)
                    .put("until", clock.millis() + Math.max(1, ttl.toMillis())));
            AtomicFiles.write(f, bytes);
        } catch (IOException e) {
            throw new StoreException("sign-in record: cannot write it (" + e + ")");
        }
    }

    /** The record's value, unless it is missing or ran out (then the file is removed). */
    private Optional<String> read(Path f) {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(f));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("sign-in record: cannot read it (" + e + ")");
        }
        if (n.path("until").asLong() <= clock.millis()) {
            delete(f);
            return Optional.empty();
        }
        return Optional.of(n.path("value").asText());
    }

    private static boolean delete(Path f) {
        try {
            return Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new StoreException("sign-in record: cannot delete it (" + e + ")");
        }
    }
}
