package io.relaygate.accounts.people;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A person who signs in to the gateway: the owner of one gateway key's rules and usage. A signed-in token of theirs
 * is admitted exactly as that key ({@code keyId}): its limits, models, clients and usage counters are the person's.
 *
 * @param id stable identifier
 * @param name the operator's name for the person (unique)
 * @param email their address, shown to Claude Code after sign-in; may be null
 * @param subject their identity provider's subject ({@code sub}), for single sign-on; may be null
 * @param groups the groups they belong to (for per-group settings and rules)
 * @param enabled a disabled person cannot sign in, and their key is disabled with them
 * @param keyId the gateway key whose rules and usage are theirs
 * @param createdAt when the person was added
 */
public record Person(
        String id,
        String name,
        @Nullable String email,
        @Nullable String subject,
        List<String> groups,
        boolean enabled,
        String keyId,
        Instant createdAt) {

    public Person {
        requireNonNull(id, "id");
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: blank (expected: a name)");
        }
        groups = List.copyOf(requireNonNull(groups, "groups"));
        requireNonNull(keyId, "keyId");
        requireNonNull(createdAt, "createdAt");
    }

    public Person withEnabled(boolean value) {
        return new Person(id, name, email, subject, groups, value, keyId, createdAt);
    }
}
