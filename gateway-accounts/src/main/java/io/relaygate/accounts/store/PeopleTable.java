package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.people.PeopleStore;
import io.relaygate.accounts.people.Person;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The {@link PeopleStore} face of a backend's people table. A change to a person is published as a change of their
 * key, whose cached record (enabled with them) is what the gateway admits requests by.
 */
final class PeopleTable implements PeopleStore {

    private final Table<Person> table;
    private final ChangeFeed changes;

    PeopleTable(Table<Person> table, ChangeFeed changes) {
        this.table = requireNonNull(table, "table");
        this.changes = requireNonNull(changes, "changes");
    }

    @Override
    public CompletionStage<Person> create(Person person) {
        return changes.after(table.create(requireNonNull(person, "person")), p -> StoreChange.key(p.keyId()));
    }

    @Override
    public CompletionStage<Optional<Person>> findById(String id) {
        return table.findById(requireNonNull(id, "id"));
    }

    @Override
    public CompletionStage<Optional<Person>> findByName(String name) {
        return table.findByName(requireNonNull(name, "name"));
    }

    @Override
    public CompletionStage<Optional<Person>> findBySubject(String subject) {
        return table.findByAlternate(requireNonNull(subject, "subject"));
    }

    @Override
    public CompletionStage<List<Person>> list() {
        return table.list();
    }

    @Override
    public CompletionStage<Person> update(Person person) {
        return changes.after(table.update(requireNonNull(person, "person")), p -> StoreChange.key(p.keyId()));
    }
}
