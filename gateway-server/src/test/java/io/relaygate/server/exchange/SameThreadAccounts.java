package io.relaygate.server.exchange;

import io.relaygate.accounts.AccountStore;
import io.relaygate.core.Account;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The embedded store's accounts, answered on the calling thread: an embedded channel's loop counts every thread as its
 * own, so a result completed on the store's I/O thread would run the pipeline there while the test reads it.
 */
public final class SameThreadAccounts implements AccountStore {

    private final AccountStore store;

    public SameThreadAccounts(AccountStore store) {
        this.store = store;
    }

    private static <T> CompletionStage<T> now(CompletionStage<T> stage) {
        return CompletableFuture.completedFuture(stage.toCompletableFuture().join());
    }

    @Override
    public CompletionStage<Account> create(Account account) {
        return now(store.create(account));
    }

    @Override
    public CompletionStage<Optional<Account>> findById(String id) {
        return now(store.findById(id));
    }

    @Override
    public CompletionStage<Optional<Account>> findByName(String name) {
        return now(store.findByName(name));
    }

    @Override
    public CompletionStage<List<Account>> list() {
        return now(store.list());
    }

    @Override
    public CompletionStage<Account> update(Account account) {
        return now(store.update(account));
    }
}
