package io.relaygate.accounts.people;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** People as stored; names are unique, like keys' and accounts'. Both backends keep them beside the keys. */
public interface PeopleStore {

    /** Adds {@code person}; fails with {@link io.relaygate.accounts.DuplicateNameException} when the name is taken. */
    CompletionStage<Person> create(Person person);

    CompletionStage<Optional<Person>> findById(String id);

    CompletionStage<Optional<Person>> findByName(String name);

    /** Every person, ordered by name. */
    CompletionStage<List<Person>> list();

    /** Replaces the person with {@code person.id()}; fails with {@code NOT_FOUND} when there is none. */
    CompletionStage<Person> update(Person person);
}
