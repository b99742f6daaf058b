package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Names;
import io.relaygate.accounts.Store;
import io.relaygate.core.Account;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Changing an account's settings after it was added, the one way the admin API ({@code POST
 * /admin/accounts/<name>/edit}) and {@code relaygate accounts edit} do it: {@code priority}, {@code group} ("" clears),
 * {@code models}, {@code modelMap}, {@code proxy} ("" clears), {@code schedulable} and {@code headers} (an object: a
 * string sets that header, null removes it; others stay). Members left out stay as they are. The credential is not
 * edited here (add the account again to sign in anew). The audit line shows header names only, never values.
 */
public final class AccountEdits {

    private AccountEdits() {}

    /** Edits {@code name} as {@code body} says and audits it as {@code actor}; answers the account's view. */
    public static CompletionStage<ObjectNode> edit(Store store, String name, JsonNode body, String actor) {
        if (!body.isObject()) {
            throw new IllegalArgumentException("body: expected a JSON object");
        }
        return store.accounts().findByName(name).thenCompose(found -> {
            Account before = found.orElseThrow(
                    () -> new GatewayException(ErrorKind.NOT_FOUND, "account name: " + name + " not found"));
            Account after = apply(before, body);
            return store.accounts().update(after).thenApply(updated -> {
                ObjectNode view = Views.account(updated);
                Audit.change(actor, "accounts.edit", "account:" + name, Views.account(before), view);
                return view;
            });
        });
    }

    /** {@code a} with the members {@code body} gives changed; fails with {@link IllegalArgumentException} naming one. */
    static Account apply(Account a, JsonNode body) {
        int priority = a.priority();
        if (body.has("priority")) {
            if (!body.get("priority").canConvertToInt()) {
                throw new IllegalArgumentException("priority: expected a whole number");
            }
            priority = body.get("priority").asInt();
        }
        String group = a.group();
        if (body.has("group")) {
            group = blankToNull(body.get("group"));
            if (group != null) {
                Names.check("group", group);
            }
        }
        List<String> models = a.models();
        if (body.has("models")) {
            List<String> m = new ArrayList<>();
            body.get("models").forEach(v -> m.add(v.asText()));
            models = m;
        }
        Map<String, String> modelMap = a.modelMap();
        if (body.has("modelMap")) {
            Map<String, String> m = new LinkedHashMap<>();
            body.get("modelMap")
                    .fields()
                    .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
            modelMap = m;
        }
        String proxy = body.has("proxy") ? blankToNull(body.get("proxy")) : a.proxy();
        boolean schedulable = a.schedulable();
        if (body.has("schedulable")) {
            if (!body.get("schedulable").isBoolean()) {
                throw new IllegalArgumentException("schedulable: expected true or false");
            }
            schedulable = body.get("schedulable").asBoolean();
        }
        Map<String, String> headers = a.headers();
        if (body.has("headers")) {
            headers = merged(a.headers(), body.get("headers"));
        }
        return new Account(
                a.id(),
                a.name(),
                a.kind(),
                a.baseUrl(),
                a.credential(),
                proxy,
                priority,
                schedulable,
                group,
                models,
                modelMap,
                a.createdAt(),
                a.trustCertificates(),
                headers);
    }

    /** {@code headers} from a JSON object of strings (a new account's). */
    static Map<String, String> headersOf(@Nullable JsonNode n) {
        return n == null || n.isNull() ? Map.of() : merged(Map.of(), n);
    }

    private static Map<String, String> merged(Map<String, String> current, JsonNode changes) {
        if (!changes.isObject()) {
            throw new IllegalArgumentException("headers: expected an object of header names to values");
        }
        Map<String, String> out = new LinkedHashMap<>(current);
        changes.fields().forEachRemaining(e -> {
            out.keySet().removeIf(k -> k.equalsIgnoreCase(e.getKey()));
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            } else if (!e.getValue().isNull()) {
                throw new IllegalArgumentException("header " + e.getKey() + ": expected a string, or null to remove");
            }
        });
        return out;
    }

    private static @Nullable String blankToNull(JsonNode v) {
        return v.isNull() || v.asText().isBlank() ? null : v.asText().trim();
    }
}
