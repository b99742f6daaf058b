package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.people.Person;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.KeyRules;
import io.relaygate.server.signin.PeopleAdmin;
import io.relaygate.server.signin.SignInSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The admin API of people and their sign-ins, the same operations as {@code relaygate people} ({@link PeopleAdmin}):
 *
 * <ul>
 *   <li>{@code GET /admin/people}; {@code POST /admin/people} {@code {"name","email"?,"subject"?,"groups"?,"rules"?}}
 *   <li>{@code POST /admin/people/<name>/link} {@code {"url","validSeconds"?}}: a one-time sign-in link (shown once)
 *   <li>{@code POST /admin/people/<name>/disable}: refuses them and ends their sessions
 *   <li>{@code GET /admin/sessions[?person=NAME]}; {@code POST /admin/sessions/<id>/revoke}
 * </ul>
 */
final class PeopleApi {

    private final PeopleAdmin people;

    PeopleApi(PeopleAdmin people) {
        this.people = people;
    }

    static boolean matches(String path) {
        return path.equals("/admin/people")
                || path.startsWith("/admin/people/")
                || path.equals("/admin/sessions")
                || path.startsWith("/admin/sessions/");
    }

    CompletionStage<AdminAnswer> get(String path, Map<String, List<String>> query) {
        if (path.equals("/admin/people")) {
            return people.list().thenApply(list -> {
                ObjectNode n = Views.JSON.createObjectNode();
                ArrayNode a = n.putArray("people");
                list.forEach(p -> a.add(PeopleAdmin.view(p)));
                return AdminAnswer.ok(n);
            });
        }
        if (path.equals("/admin/sessions")) {
            String person = AdminRouter.first(query, "person");
            return people.list().thenCombine(people.sessions(person), (all, sessions) -> {
                ObjectNode n = Views.JSON.createObjectNode();
                ArrayNode a = n.putArray("sessions");
                sessions.forEach(s -> a.add(PeopleAdmin.view(
                        s,
                        all.stream()
                                .filter(p -> p.id().equals(s.personId()))
                                .map(Person::name)
                                .findFirst()
                                .orElse(s.personId()))));
                return AdminAnswer.ok(n);
            });
        }
        throw new GatewayException(
                ErrorKind.NOT_FOUND, "no admin route " + path + " (expected: /admin/people or /admin/sessions)");
    }

    CompletionStage<AdminAnswer> post(String path, JsonNode body, String actor, java.time.Instant now) {
        if (path.equals("/admin/people")) {
            String name = body.path("name").asText("");
            List<String> groups = new ArrayList<>();
            body.path("groups").forEach(g -> groups.add(g.asText()));
            KeyRules rules = body.has("rules") ? KeyRulesJson.parse(body.path("rules"), now) : KeyRules.NONE;
            return people.add(name, text(body, "email"), text(body, "subject"), groups, rules)
                    .thenApply(p -> {
                        Audit.change(actor, "people.add", "person:" + p.name(), null, PeopleAdmin.view(p));
                        return new AdminAnswer(201, PeopleAdmin.view(p));
                    });
        }
        String[] parts = path.split("/");
        // "", "admin", "people"|"sessions", name or id, action
        if (parts.length == 5 && parts[2].equals("people")) {
            String name = parts[3];
            switch (parts[4]) {
                case "link" -> {
                    String url = body.path("url").asText("");
                    if (!url.startsWith("http://") && !url.startsWith("https://")) {
                        throw new GatewayException(
                                ErrorKind.INVALID_REQUEST, "url: the gateway's address as people reach it, https://…");
                    }
                    Duration valid = body.has("validSeconds")
                            ? Duration.ofSeconds(body.path("validSeconds").asLong())
                            : SignInSettings.LINK_TTL;
                    return people.link(name, valid, url).thenApply(link -> {
                        Audit.change(actor, "people.link", "person:" + name, null, null);
                        return AdminAnswer.ok(Views.JSON
                                .createObjectNode()
                                .put("person", name)
                                .put("link", link));
                    });
                }
                case "disable" -> {
                    return people.disable(name).thenApply(p -> {
                        Audit.change(actor, "people.disable", "person:" + name, null, PeopleAdmin.view(p));
                        return AdminAnswer.ok(PeopleAdmin.view(p));
                    });
                }
                default -> {}
            }
        }
        if (parts.length == 5 && parts[2].equals("sessions") && parts[4].equals("revoke")) {
            String id = parts[3];
            return people.revoke(id).thenApply(ended -> {
                if (!ended) {
                    throw new GatewayException(ErrorKind.NOT_FOUND, "session " + id + " not found");
                }
                Audit.change(actor, "people.revoke", "session:" + id, null, null);
                return AdminAnswer.ok(Views.JSON.createObjectNode().put("revoked", id));
            });
        }
        throw new GatewayException(
                ErrorKind.NOT_FOUND,
                "no admin route POST " + path
                        + " (expected: /admin/people, /admin/people/<name>/link|disable or /admin/sessions/<id>/revoke)");
    }

    private static @org.jspecify.annotations.Nullable String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }
}
