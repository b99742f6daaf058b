package io.relaygate.accounts.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.AdminStore;
import io.relaygate.accounts.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The console's sign-in state of the embedded store. The password hash is {@code admin.json} in the data folder,
 * read at every sign-in (so {@code relaygate admin password} run beside a serving gateway takes effect at once);
 * sessions are {@code admin-sessions.json}, owned by the serving process (one per data folder) and rewritten when one
 * starts or ends, so a restart keeps operators signed in; failure counters live in memory. File I/O runs on the
 * store's I/O thread.
 */
final class LocalAdminStore implements AdminStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(String value, long expiresAtMillis) {}

    private record Counter(long count, long expiresAtMillis) {}

    private final Path passwordFile;
    private final Path sessionFile;
    private final Executor io;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> failures = new ConcurrentHashMap<>();

    LocalAdminStore(Path dataDir, Executor io, Clock clock) {
        this.passwordFile = dataDir.resolve("admin.json");
        this.sessionFile = dataDir.resolve("admin-sessions.json");
        this.io = io;
        this.clock = clock;
        loadSessions();
    }

    private void loadSessions() {
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(sessionFile));
            long now = clock.millis();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                long until = e.getValue().path("until").asLong();
                if (until > now) {
                    sessions.put(
                            e.getKey(), new Entry(e.getValue().path("value").asText(), until));
                }
            }
        } catch (NoSuchFileException e) {
            // no session yet
        } catch (IOException e) {
            throw new StoreException("admin-sessions.json: cannot read it (" + e + ")");
        }
    }

    private void saveSessions() {
        ObjectNode n = JSON.createObjectNode();
        long now = clock.millis();
        sessions.forEach((id, e) -> {
            if (e.expiresAtMillis > now) {
                n.putObject(id).put("value", e.value).put("until", e.expiresAtMillis);
            }
        });
        try {
            AtomicFiles.write(sessionFile, JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new StoreException("admin-sessions.json: cannot write it (" + e + ")");
        }
    }

    private Optional<String> readPassword() {
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(passwordFile));
            String hash = n.path("passwordHash").asText("");
            return hash.isEmpty() ? Optional.empty() : Optional.of(hash);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("admin.json: cannot read it (" + e + ")");
        }
    }

    private void writePassword(String hash) {
        try {
            AtomicFiles.write(
                    passwordFile, JSON.writeValueAsBytes(JSON.createObjectNode().put("passwordHash", hash)));
        } catch (IOException e) {
            throw new StoreException("admin.json: cannot write it (" + e + ")");
        }
    }

    @Override
    public CompletionStage<Optional<String>> passwordHash() {
        return CompletableFuture.supplyAsync(this::readPassword, io);
    }

    @Override
    public CompletionStage<Void> setPasswordHash(String hash) {
        return CompletableFuture.runAsync(() -> writePassword(hash), io);
    }

    @Override
    public CompletionStage<Boolean> initPasswordHash(String hash) {
        // the I/O thread runs one task at a time: nothing writes between the read and the write
        return CompletableFuture.supplyAsync(
                () -> {
                    if (readPassword().isPresent()) {
                        return false;
                    }
                    writePassword(hash);
                    return true;
                },
                io);
    }

    @Override
    public CompletionStage<Void> putSession(String id, String value, Duration ttl) {
        boolean known = sessions.containsKey(id);
        sessions.put(id, new Entry(value, clock.millis() + ttl.toMillis()));
        // a new session is saved at once; a touched one is saved with the next change (a restart only shortens it)
        return known ? CompletableFuture.completedFuture(null) : CompletableFuture.runAsync(this::saveSessions, io);
    }

    @Override
    public CompletionStage<Optional<String>> session(String id) {
        Entry e = sessions.get(id);
        if (e == null || e.expiresAtMillis <= clock.millis()) {
            if (e != null) {
                sessions.remove(id, e);
            }
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.completedFuture(Optional.of(e.value));
    }

    @Override
    public CompletionStage<Void> deleteSession(String id) {
        if (sessions.remove(id) == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(this::saveSessions, io);
    }

    @Override
    public CompletionStage<Void> deleteAllSessions() {
        sessions.clear();
        return CompletableFuture.runAsync(this::saveSessions, io);
    }

    @Override
    public CompletionStage<Long> countFailure(String name, Duration window) {
        long now = clock.millis();
        Counter c = failures.compute(
                name,
                (k, old) -> old == null || old.expiresAtMillis <= now
                        ? new Counter(1, now + window.toMillis())
                        : new Counter(old.count + 1, old.expiresAtMillis));
        return CompletableFuture.completedFuture(c.count);
    }

    @Override
    public CompletionStage<Long> failures(String name) {
        Counter c = failures.get(name);
        return CompletableFuture.completedFuture(c == null || c.expiresAtMillis <= clock.millis() ? 0L : c.count);
    }

    @Override
    public CompletionStage<Void> clearFailures(String name) {
        failures.remove(name);
        return CompletableFuture.completedFuture(null);
    }
}
