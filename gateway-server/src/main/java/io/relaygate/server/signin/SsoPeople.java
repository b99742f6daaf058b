package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import io.relaygate.accounts.Names;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.people.Person;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Who a verified ID token is: the person with its subject, added on their first sign-in (named by their e-mail, with
 * the groups the provider sent), their groups and key rules brought up to date on each later one. A disabled person
 * stays refused whatever the provider says: the operator's word wins.
 */
final class SsoPeople {

    /** The person signing in, or why they may not. */
    record Decision(@Nullable Person person, String refusal) {
        static Decision refused(String why) {
            return new Decision(null, why);
        }
    }

    private final Store store;
    private final SsoSettings settings;
    private final PeopleAdmin admin;

    SsoPeople(Store store, SsoSettings settings, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.settings = requireNonNull(settings, "settings");
        this.admin = new PeopleAdmin(store, clock);
    }

    /** The groups in the token's groups claim (a list of strings, or one string); none when absent. */
    List<String> groups(JWTClaimsSet claims) {
        Object value = claims.getClaim(settings.groupsClaim());
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(g -> out.add(String.valueOf(g)));
        } else if (value instanceof String s) {
            out.add(s);
        }
        return out;
    }

    CompletionStage<Decision> signIn(JWTClaimsSet claims) {
        String subject = claims.getSubject();
        List<String> groups = groups(claims);
        if (!settings.allowedGroups().isEmpty() && groups.stream().noneMatch(settings.allowedGroups()::contains)) {
            return done(Decision.refused("your account is not in a group allowed to use this gateway ("
                    + String.join(", ", settings.allowedGroups()) + "): ask your operator"));
        }
        String email = claims.getClaim("email") instanceof String e ? e : null;
        // an index lookup, not a scan of everyone: a sign-in costs the same with ten people or ten thousand
        return store.people().findBySubject(subject).thenCompose(known -> {
            if (known.isPresent()) {
                Person p = known.get();
                if (!p.enabled()) {
                    return done(Decision.refused("your account is disabled on this gateway: ask your operator"));
                }
                Person updated = new Person(
                        p.id(),
                        p.name(),
                        email != null ? email : p.email(),
                        subject,
                        groups,
                        true,
                        p.keyId(),
                        p.createdAt());
                return store.people().update(updated).thenCompose(saved -> applyRules(saved)
                        .thenApply(v -> new Decision(saved, "")));
            }
            String name = nameFor(email, subject);
            return store.people().findByName(name).thenCompose(taken -> {
                if (taken.isPresent()) {
                    return done(Decision.refused("a person named " + name + " already exists without this sign-in:"
                            + " ask your operator to set its subject or remove it"));
                }
                return rules(groups)
                        .thenCompose(rules -> admin.add(name, email, subject, groups, rules))
                        .thenApply(created -> new Decision(created, ""));
            });
        });
    }

    /** The e-mail when it is a valid name, else {@code sso-} and the subject made valid. */
    static String nameFor(@Nullable String email, String subject) {
        if (email != null) {
            try {
                return Names.check("name", email);
            } catch (IllegalArgumentException e) {
                // not a usable name: fall through to the subject
            }
        }
        String safe = subject.replaceAll("[^A-Za-z0-9._@-]", "-");
        String name = "sso-" + safe;
        return name.length() > Names.MAX_LENGTH ? name.substring(0, Names.MAX_LENGTH) : name;
    }

    /** Sets the person's key's rules from their groups when a mapping is configured. */
    private CompletionStage<Void> applyRules(Person person) {
        if (settings.groupKeys().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return rules(person.groups()).thenCompose(rules -> store.keys()
                .findById(person.keyId())
                .thenCompose(key -> key.isPresent() && !key.get().rules().equals(rules)
                        ? store.keys().update(key.get().withRules(rules)).thenApply(k -> (Void) null)
                        : CompletableFuture.completedFuture((Void) null)));
    }

    /** The rules of the first mapped group's key the person is in ({@code *}: anyone); no mapping: no rules. */
    private CompletionStage<KeyRules> rules(List<String> groups) {
        for (Map.Entry<String, String> e : settings.groupKeys().entrySet()) {
            if (e.getKey().equals("*") || groups.contains(e.getKey())) {
                String template = e.getValue();
                return store.keys().findByName(template).thenApply(key -> key.map(ApiKey::rules)
                        .orElseThrow(() -> new IllegalStateException("RELAYGATE_SSO_GROUP_KEYS names key " + template
                                + " for group " + e.getKey() + ", and there is no such key")));
            }
        }
        return CompletableFuture.completedFuture(KeyRules.NONE);
    }

    private static CompletionStage<Decision> done(Decision d) {
        return CompletableFuture.completedFuture(d);
    }
}
