package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.AccountStore;
import io.relaygate.accounts.StoreChange;
import io.relaygate.core.Account;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The {@link AccountStore} face of a backend's account table. */
final class AccountTable implements AccountStore {

    private final Table<Account> table;
    private final ChangeFeed changes;

    /** @param changes told of every create and update once it is written */
    AccountTable(Table<Account> table, ChangeFeed changes) {
        this.table = requireNonNull(table, "table");
        this.changes = requireNonNull(changes, "changes");
    }

    @Override
    public CompletionStage<Account> create(Account account) {
        return changes.after(table.create(requireNonNull(account, "account")), v -> StoreChange.account(v.id()));
    }

    @Override
    public CompletionStage<Optional<Account>> findById(String id) {
        return table.findById(requireNonNull(id, "id"));
    }

    @Override
    public CompletionStage<Optional<Account>> findByName(String name) {
        return table.findByName(requireNonNull(name, "name"));
    }

    @Override
    public CompletionStage<List<Account>> list() {
        return table.list();
    }

    @Override
    public CompletionStage<Account> update(Account account) {
        return changes.after(table.update(requireNonNull(account, "account")), v -> StoreChange.account(v.id()));
    }
}
