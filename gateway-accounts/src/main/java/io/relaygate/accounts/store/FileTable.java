package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.DuplicateNameException;
import io.relaygate.accounts.StoreException;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A table of the embedded store: an immutable in-memory snapshot of one JSON file, {@code <dataDir>/<collection>.json}.
 *
 * <p>Another process (the CLI) may change the file while a gateway runs. Reads are served from the snapshot while it
 * is fresh; at most once per {@link #CHECK_INTERVAL}, and on every lookup miss (so a key created by the CLI works at
 * once), the file's identity, size and modification time are compared and the file re-read when they changed. Writes
 * hold the data folder's {@link DirectoryLock}, re-read a changed file first, then replace it atomically. All file I/O
 * runs on {@code io}, never on the caller's thread, so an event loop never waits on a disk.
 */
final class FileTable<T> implements Table<T> {

    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final int FORMAT_VERSION = 1;

    /** What identifies one version of the file; a rename gives a new file key even within one mtime tick. */
    private record Stamp(
            FileTime modified, long size, @Nullable Object fileKey) {}

    private record Snapshot<T>(
            Map<String, T> byId,
            Map<String, T> byName,
            Map<String, T> byAlternate,
            List<T> ordered,
            @Nullable Stamp stamp) {}

    private final Path dataDir;
    private final Path file;
    private final RecordCodec<T> codec;
    private final Executor io;
    private final Ticker ticker;
    private volatile @Nullable Snapshot<T> snapshot;
    private volatile long nextCheckNanos;

    FileTable(Path dataDir, RecordCodec<T> codec, Executor io, Ticker ticker) {
        this.dataDir = requireNonNull(dataDir, "dataDir");
        this.codec = requireNonNull(codec, "codec");
        this.io = requireNonNull(io, "io");
        this.ticker = requireNonNull(ticker, "ticker");
        this.file = dataDir.resolve(codec.collection() + ".json");
    }

    Path file() {
        return file;
    }

    @Override
    public CompletionStage<Optional<T>> findById(String id) {
        return find(s -> s.byId().get(id));
    }

    @Override
    public CompletionStage<Optional<T>> findByName(String name) {
        return find(s -> s.byName().get(name));
    }

    @Override
    public CompletionStage<Optional<T>> findByAlternate(String key) {
        return find(s -> s.byAlternate().get(key));
    }

    private CompletionStage<Optional<T>> find(Function<Snapshot<T>, @Nullable T> lookup) {
        Snapshot<T> s = freshSnapshot();
        if (s != null) {
            T found = lookup.apply(s);
            if (found != null) {
                return CompletableFuture.completedFuture(Optional.of(found));
            }
        }
        return CompletableFuture.supplyAsync(() -> Optional.ofNullable(lookup.apply(refresh())), io);
    }

    @Override
    public CompletionStage<List<T>> list() {
        Snapshot<T> s = freshSnapshot();
        if (s != null) {
            return CompletableFuture.completedFuture(s.ordered());
        }
        return CompletableFuture.supplyAsync(() -> refresh().ordered(), io);
    }

    @Override
    public CompletionStage<T> create(T value) {
        return CompletableFuture.supplyAsync(
                        () -> modify(current -> {
                            if (current.byName().containsKey(codec.name(value))) {
                                throw new DuplicateNameException(codec.what(), codec.name(value));
                            }
                            if (current.byId().containsKey(codec.id(value))) {
                                throw new DuplicateNameException(codec.what() + " id", codec.id(value));
                            }
                            checkAlternate(current, value);
                            List<T> next = new ArrayList<>(current.ordered());
                            next.add(value);
                            return next;
                        }),
                        io)
                .thenApply(ignored -> value);
    }

    @Override
    public CompletionStage<T> update(T value) {
        return CompletableFuture.supplyAsync(
                        () -> modify(current -> {
                            String id = codec.id(value);
                            if (!current.byId().containsKey(id)) {
                                throw new GatewayException(
                                        ErrorKind.NOT_FOUND, codec.what() + " id: " + id + " not found");
                            }
                            T owner = current.byName().get(codec.name(value));
                            if (owner != null && !codec.id(owner).equals(id)) {
                                throw new DuplicateNameException(codec.what(), codec.name(value));
                            }
                            checkAlternate(current, value);
                            List<T> next = new ArrayList<>(current.ordered().size());
                            for (T t : current.ordered()) {
                                next.add(codec.id(t).equals(id) ? value : t);
                            }
                            return next;
                        }),
                        io)
                .thenApply(ignored -> value);
    }

    /** Refuses {@code value} when another record holds its alternate key. */
    private void checkAlternate(Snapshot<T> current, T value) {
        String alternate = codec.alternate(value);
        T holder = alternate == null ? null : current.byAlternate().get(alternate);
        if (alternate != null && holder != null && !codec.id(holder).equals(codec.id(value))) {
            throw codec.alternateTaken(alternate);
        }
    }

    /** Makes the next read compare the file again (it was seen to change). */
    void recheck() {
        nextCheckNanos = ticker.read();
    }

    /** The snapshot when it is loaded and its last check is recent enough, else {@code null}. */
    private @Nullable Snapshot<T> freshSnapshot() {
        Snapshot<T> s = snapshot;
        return s != null && ticker.read() - nextCheckNanos < 0 ? s : null;
    }

    /** On {@code io}: compares the file with the snapshot and re-reads it when it changed. */
    private Snapshot<T> refresh() {
        nextCheckNanos = ticker.read() + CHECK_INTERVAL.toNanos();
        try {
            return reloadIfChanged();
        } catch (IOException e) {
            throw new StoreException("embedded store file " + file + ": " + e);
        }
    }

    /** On {@code io}: read-modify-write under the folder lock; {@code change} gets the current rows. */
    private Snapshot<T> modify(Function<Snapshot<T>, List<T>> change) {
        try {
            return DirectoryLock.withLock(dataDir, () -> {
                Snapshot<T> current = reloadIfChanged();
                List<T> rows = change.apply(current);
                AtomicFiles.write(file, serialize(rows));
                Snapshot<T> written = snapshotOf(rows, stamp());
                snapshot = written;
                nextCheckNanos = ticker.read() + CHECK_INTERVAL.toNanos();
                return written;
            });
        } catch (IOException e) {
            throw new StoreException("embedded store file " + file + ": " + e);
        }
    }

    private Snapshot<T> reloadIfChanged() throws IOException {
        Stamp stamp = stamp();
        Snapshot<T> s = snapshot;
        if (s != null && Objects.equals(s.stamp(), stamp)) {
            return s;
        }
        List<T> rows = stamp == null ? List.of() : parse(Files.readAllBytes(file));
        Snapshot<T> loaded = snapshotOf(rows, stamp);
        snapshot = loaded;
        return loaded;
    }

    private @Nullable Stamp stamp() throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private Snapshot<T> snapshotOf(List<T> rows, @Nullable Stamp stamp) {
        Map<String, T> byId = new HashMap<>();
        Map<String, T> byName = new HashMap<>();
        Map<String, T> byAlternate = new HashMap<>();
        for (T t : rows) {
            byId.put(codec.id(t), t);
            byName.put(codec.name(t), t);
            String alternate = codec.alternate(t);
            if (alternate != null) {
                byAlternate.putIfAbsent(alternate, t);
            }
        }
        List<T> ordered =
                rows.stream().sorted(Comparator.comparing(codec::name)).toList();
        return new Snapshot<>(Map.copyOf(byId), Map.copyOf(byName), Map.copyOf(byAlternate), ordered, stamp);
    }

    private byte[] serialize(List<T> rows) throws IOException {
        ObjectNode root = RecordCodec.MAPPER.createObjectNode();
        root.put("version", FORMAT_VERSION);
        ArrayNode items = root.putArray(codec.collection());
        for (T t : rows) {
            items.add(codec.encode(t));
        }
        return RecordCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    private List<T> parse(byte[] content) {
        JsonNode root;
        try {
            root = RecordCodec.MAPPER.readTree(content);
        } catch (IOException e) {
            throw new StoreException("embedded store file " + file + ": not valid JSON (" + e.getMessage() + ")");
        }
        JsonNode items = root == null ? null : root.get(codec.collection());
        if (items == null || !items.isArray()) {
            throw new StoreException(
                    "embedded store file " + file + ": no \"" + codec.collection() + "\" array (expected one)");
        }
        List<T> rows = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            rows.add(codec.decode(item));
        }
        return rows;
    }
}
