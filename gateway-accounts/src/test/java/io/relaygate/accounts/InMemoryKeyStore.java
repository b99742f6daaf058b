package io.relaygate.accounts;

import io.relaygate.core.ApiKey;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A key store that counts lookups by id, to see what the service's cache saves. */
final class InMemoryKeyStore implements ApiKeyStore {

    final Map<String, ApiKey> byId = new ConcurrentHashMap<>();
    final AtomicInteger findByIdCalls = new AtomicInteger();
    /** Lookups fail, as with a store that is away. */
    volatile boolean down;

    @Override
    public CompletionStage<ApiKey> create(ApiKey key) {
        if (byId.values().stream().anyMatch(k -> k.name().equals(key.name()))) {
            return CompletableFuture.failedFuture(new DuplicateNameException("key", key.name()));
        }
        byId.put(key.id(), key);
        return CompletableFuture.completedFuture(key);
    }

    @Override
    public CompletionStage<Optional<ApiKey>> findById(String id) {
        findByIdCalls.incrementAndGet();
        if (down) {
            return CompletableFuture.failedFuture(new IllegalStateException("store away"));
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(byId.get(id)));
    }

    @Override
    public CompletionStage<Optional<ApiKey>> findByName(String name) {
        return CompletableFuture.completedFuture(
                byId.values().stream().filter(k -> k.name().equals(name)).findFirst());
    }

    @Override
    public CompletionStage<List<ApiKey>> list() {
        return CompletableFuture.completedFuture(byId.values().stream()
                .sorted(Comparator.comparing(ApiKey::name))
                .toList());
    }

    @Override
    public CompletionStage<ApiKey> update(ApiKey key) {
        byId.put(key.id(), key);
        return CompletableFuture.completedFuture(key);
    }
}
