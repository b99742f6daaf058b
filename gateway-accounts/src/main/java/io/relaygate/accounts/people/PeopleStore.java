package io.relaygate.accounts.people;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** People as stored; names are unique, like keys' and accounts'. Both backends keep them beside the keys. */
public interface PeopleStore {

    /**
     * Adds {@code person}; fails with {@link io.relaygate.accounts.DuplicateNameException} when the name is taken, and
     * with {@code INVALID_REQUEST} when another person has its subject.
     */
    CompletionStage<Person> create(Person person);

    CompletionStage<Optional<Person>> findById(String id);

    CompletionStage<Optional<Person>> findByName(String name);

    /**
     * The person whose identity provider's subject is {@code subject} (single sign-on), from an index both backends
     * keep with every create and update; subjects are unique like names.
     */
    CompletionStage<Optional<Person>> findBySubject(String subject);

    /** Every person, ordered by name. */
    CompletionStage<List<Person>> list();

    /**
     * Replaces the person with {@code person.id()}; fails with {@code NOT_FOUND} when there is none, and like
     * {@link #create} when the name or subject is another person's.
     */
    CompletionStage<Person> update(Person person);
}
