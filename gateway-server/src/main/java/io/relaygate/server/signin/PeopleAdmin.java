package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Names;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.people.DeviceGrants;
import io.relaygate.accounts.people.Person;
import io.relaygate.accounts.people.SignInSession;
import io.relaygate.accounts.people.SignInTokens;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Ids;
import io.relaygate.core.KeyRules;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The operator's side of people, one implementation for the CLI (and the admin API): adding a person (with the key
 * whose rules and usage are theirs, named {@code person.<name>}), listing, disabling (person and key together),
 * making a one-time sign-in link, listing and revoking sessions.
 */
public final class PeopleAdmin {

    /** The prefix of a person's key's name. */
    public static final String KEY_PREFIX = "person.";

    private final Store store;
    private final ApiKeyService keys;
    private final SignInTokens tokens;
    private final DeviceGrants grants;
    private final Clock clock;

    public PeopleAdmin(Store store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.keys = new ApiKeyService(store.keys());
        this.tokens = SignInSettings.tokens(store, clock);
        this.grants = SignInSettings.grants(store, clock);
    }

    /** Adds person {@code name} with a key of {@code rules}; the key's secret is never shown (they sign in). */
    public CompletionStage<Person> add(
            String name, @Nullable String email, @Nullable String subject, List<String> groups, KeyRules rules) {
        Names.check("name", requireNonNull(name, "name"));
        return store.people().findByName(name).thenCompose(existing -> {
            if (existing.isPresent()) {
                throw new io.relaygate.accounts.DuplicateNameException("person", name);
            }
            return keys.create(KEY_PREFIX + name, rules).thenCompose(created -> store.people()
                    .create(new Person(
                            Ids.random(10),
                            name,
                            email,
                            subject,
                            groups,
                            true,
                            created.key().id(),
                            clock.instant())));
        });
    }

    public CompletionStage<List<Person>> list() {
        return store.people().list();
    }

    public CompletionStage<Person> find(String name) {
        return store.people().findByName(name).thenApply(found -> found.orElseThrow(() -> notFound(name)));
    }

    /** Disables person {@code name} and their key, and ends their sessions: they are out on every instance. */
    public CompletionStage<Person> disable(String name) {
        return find(name).thenCompose(person -> store.people()
                .update(person.withEnabled(false))
                .thenCompose(updated -> store.keys()
                        .findById(person.keyId())
                        .thenCompose(key -> key.isPresent()
                                ? store.keys().update(key.get().withEnabled(false))
                                : java.util.concurrent.CompletableFuture.completedFuture((ApiKey) null))
                        .thenCompose(k -> tokens.sessions(person.id()))
                        .thenCompose(sessions -> {
                            CompletionStage<Boolean> all = java.util.concurrent.CompletableFuture.completedFuture(true);
                            for (SignInSession s : sessions) {
                                all = all.thenCompose(v -> tokens.revoke(s.id()));
                            }
                            return all;
                        })
                        .thenApply(v -> updated)));
    }

    /**
     * A one-time sign-in link for person {@code name}, valid for {@code ttl}: {@code <gatewayUrl>/device#link=…}.
     * The secret is in the fragment, which browsers never send to a server.
     */
    public CompletionStage<String> link(String name, Duration ttl, String gatewayUrl) {
        String base = gatewayUrl.endsWith("/") ? gatewayUrl.substring(0, gatewayUrl.length() - 1) : gatewayUrl;
        return find(name)
                .thenCompose(person -> {
                    if (!person.enabled()) {
                        throw new GatewayException(ErrorKind.INVALID_REQUEST, "person " + name + " is disabled");
                    }
                    return grants.createLink(person.id(), ttl);
                })
                .thenApply(secret -> base + ApprovalPage.PAGE + "#link=" + secret);
    }

    /**
     * A new secret for person {@code name}'s key (the old one stops working), for a client that cannot sign in
     * (Codex): its usage and limits stay the person's. Shown once.
     */
    public CompletionStage<String> keySecret(String name) {
        return find(name).thenCompose(p -> keys.rotate(KEY_PREFIX + p.name())).thenApply(created -> created.secret());
    }

    /** The live sessions, of person {@code name} or (null) of everyone. */
    public CompletionStage<List<SignInSession>> sessions(@Nullable String name) {
        if (name == null) {
            return tokens.sessions(null);
        }
        return find(name).thenCompose(p -> tokens.sessions(p.id()));
    }

    /** Ends session {@code id} (its access and refresh token); completes with whether there was one. */
    public CompletionStage<Boolean> revoke(String id) {
        return tokens.revoke(id);
    }

    /** A person as the CLI and the admin API show them: never a secret. */
    public static com.fasterxml.jackson.databind.node.ObjectNode view(Person p) {
        com.fasterxml.jackson.databind.node.ObjectNode n = SignInHttp.JSON
                .createObjectNode()
                .put("id", p.id())
                .put("name", p.name())
                .put("email", p.email())
                .put("subject", p.subject())
                .put("enabled", p.enabled())
                .put("key", KEY_PREFIX + p.name())
                .put("createdAt", p.createdAt().toString());
        com.fasterxml.jackson.databind.node.ArrayNode g = n.putArray("groups");
        p.groups().forEach(g::add);
        return n;
    }

    /** A session as the CLI and the admin API show it: never a token or its hash. */
    public static com.fasterxml.jackson.databind.node.ObjectNode view(SignInSession s, String person) {
        return SignInHttp.JSON
                .createObjectNode()
                .put("id", s.id())
                .put("person", person)
                .put("createdAt", s.createdAt().toString())
                .put("expiresAt", s.expiresAt().toString())
                .put("address", s.address())
                .put("client", s.client())
                .put("refreshes", s.generation());
    }

    private static GatewayException notFound(String name) {
        return new GatewayException(ErrorKind.NOT_FOUND, "person name: " + name + " not found");
    }
}
