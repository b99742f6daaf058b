package io.relaygate.accounts.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.accounts.people.Person;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/** Stores a {@link Person} as its JSON record form ({@code people.json}, {@code {people}:byId}). */
final class PersonCodec extends RecordCodec<Person> {

    static final PersonCodec INSTANCE = new PersonCodec();

    private PersonCodec() {}

    @Override
    String what() {
        return "person";
    }

    @Override
    String collection() {
        return "people";
    }

    @Override
    String id(Person value) {
        return value.id();
    }

    @Override
    String name(Person value) {
        return value.name();
    }

    /** Single sign-on finds a person by their identity provider's subject, unique like their name. */
    @Override
    @Nullable
    String alternate(Person value) {
        String subject = value.subject();
        return subject == null || subject.isEmpty() ? null : subject;
    }

    @Override
    String alternateField() {
        return "subject";
    }

    @Override
    JsonNode encode(Person value) {
        return MAPPER.valueToTree(value);
    }

    @Override
    Person decode(JsonNode node) {
        try {
            return MAPPER.treeToValue(node, Person.class);
        } catch (IOException | IllegalArgumentException e) {
            throw unreadable(what(), node, e);
        }
    }
}
