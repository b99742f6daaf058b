package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.Documents;
import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@link Documents} of the embedded store: {@code <name>.json} in the data folder, read and written on the store's I/O
 * thread (whole-file atomic replace). A write tells this process's listeners; another process's write reaches them
 * through the store's {@link FileWatch}.
 */
final class LocalDocuments implements Documents {

    private final Path dir;
    private final Executor io;
    private final ChangeFeed changes;

    LocalDocuments(Path dir, Executor io, ChangeFeed changes) {
        this.dir = requireNonNull(dir, "dir");
        this.io = requireNonNull(io, "io");
        this.changes = requireNonNull(changes, "changes");
    }

    /** The file name of document {@code name}. */
    static String fileName(String name) {
        Documents.changeKind(name);
        return name + ".json";
    }

    @Override
    public CompletionStage<Optional<String>> get(String name) {
        Path file = dir.resolve(fileName(name));
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
                    } catch (NoSuchFileException e) {
                        return Optional.<String>empty();
                    } catch (IOException e) {
                        throw new StoreException(file + ": cannot be read (" + e + ")");
                    }
                },
                io);
    }

    @Override
    public CompletionStage<Void> put(String name, String text) {
        requireNonNull(text, "text");
        Path file = dir.resolve(fileName(name));
        CompletionStage<Void> write = CompletableFuture.runAsync(
                () -> {
                    try {
                        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new StoreException(file + ": cannot be written (" + e + ")");
                    }
                },
                io);
        return changes.after(write, ignored -> new StoreChange(Documents.changeKind(name), null));
    }

    @Override
    public CompletionStage<Boolean> replace(String name, Optional<String> expected, String text) {
        requireNonNull(text, "text");
        Path file = dir.resolve(fileName(name));
        // read, compare and write in one task of the one I/O thread: no other write of this process comes between
        CompletionStage<Boolean> swap = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        Optional<String> current;
                        try {
                            current = Optional.of(Files.readString(file, StandardCharsets.UTF_8));
                        } catch (NoSuchFileException e) {
                            current = Optional.empty();
                        }
                        if (!current.equals(expected)) {
                            return false;
                        }
                        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
                        return true;
                    } catch (IOException e) {
                        throw new StoreException(file + ": cannot be written (" + e + ")");
                    }
                },
                io);
        return swap.thenCompose(done -> done
                ? changes.after(
                        CompletableFuture.completedFuture(true),
                        ok -> new StoreChange(Documents.changeKind(name), null))
                : CompletableFuture.completedFuture(false));
    }

    @Override
    public CompletionStage<Void> remove(String name) {
        Path file = dir.resolve(fileName(name));
        CompletionStage<Void> delete = CompletableFuture.runAsync(
                () -> {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        throw new StoreException(file + ": cannot be removed (" + e + ")");
                    }
                },
                io);
        return changes.after(delete, ignored -> new StoreChange(Documents.changeKind(name), null));
    }
}
