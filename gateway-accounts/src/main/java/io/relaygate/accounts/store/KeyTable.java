package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.ApiKeyStore;
import io.relaygate.accounts.KeyHasher;
import io.relaygate.accounts.StoreChange;
import io.relaygate.core.ApiKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The {@link ApiKeyStore} face of a backend's key table. */
final class KeyTable implements ApiKeyStore {

    private final Table<ApiKey> table;
    private final ChangeFeed changes;
    private final KeyHasher hasher;

    /**
     * @param changes told of every create and update once it is written
     * @param hasher how secrets are hashed, under the server's pepper
     */
    KeyTable(Table<ApiKey> table, ChangeFeed changes, KeyHasher hasher) {
        this.table = requireNonNull(table, "table");
        this.changes = requireNonNull(changes, "changes");
        this.hasher = requireNonNull(hasher, "hasher");
    }

    @Override
    public KeyHasher hasher() {
        return hasher;
    }

    @Override
    public CompletionStage<ApiKey> create(ApiKey key) {
        return changes.after(table.create(requireNonNull(key, "key")), v -> StoreChange.key(v.id()));
    }

    @Override
    public CompletionStage<Optional<ApiKey>> findById(String id) {
        return table.findById(requireNonNull(id, "id"));
    }

    @Override
    public CompletionStage<Optional<ApiKey>> findByName(String name) {
        return table.findByName(requireNonNull(name, "name"));
    }

    @Override
    public CompletionStage<List<ApiKey>> list() {
        return table.list();
    }

    @Override
    public CompletionStage<ApiKey> update(ApiKey key) {
        return changes.after(table.update(requireNonNull(key, "key")), v -> StoreChange.key(v.id()));
    }
}
