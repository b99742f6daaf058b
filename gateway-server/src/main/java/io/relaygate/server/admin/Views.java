package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.Account;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ClientKind;
import io.relaygate.core.Durations;
import io.relaygate.core.KeyRules;
import io.relaygate.core.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How keys and accounts are shown, as text and as JSON. An account's credential is never part of either (only
 * whether it has one), a proxy URL only with its password masked, a key only by its visible prefix.
 */
public final class Views {

    /** The JSON factory of the views (and of the admin API and the CLI built on them). */
    public static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private Views() {}

    public static ObjectNode key(ApiKey key) {
        ObjectNode n = Views.JSON.createObjectNode();
        n.put("id", key.id());
        n.put("name", key.name());
        n.put("prefix", key.prefix());
        n.put("enabled", key.enabled());
        n.put("createdAt", key.createdAt().toString());
        n.set("rules", rules(key.rules()));
        return n;
    }

    static ObjectNode rules(KeyRules r) {
        ObjectNode n = Views.JSON.createObjectNode();
        if (r.maxConcurrency() != null) {
            n.put("concurrency", r.maxConcurrency());
        }
        if (r.maxRequests() != null && r.requestWindow() != null) {
            n.put("requests", r.maxRequests());
            n.put("requestWindow", Durations.format(r.requestWindow()));
        }
        if (r.maxTokens() != null && r.tokenWindow() != null) {
            n.put("tokens", r.maxTokens());
            n.put("tokenWindow", Durations.format(r.tokenWindow()));
        }
        if (r.dailyCostUsd() != null) {
            n.put("dailyCostUsd", r.dailyCostUsd());
        }
        if (r.weeklyCostUsd() != null) {
            n.put("weeklyCostUsd", r.weeklyCostUsd());
        }
        if (r.totalCostUsd() != null) {
            n.put("totalCostUsd", r.totalCostUsd());
        }
        strings(n, "models", r.allowedModels());
        strings(n, "denyModels", r.deniedModels());
        strings(n, "clients", clients(r));
        if (r.expiresAt() != null) {
            n.put("expiresAt", r.expiresAt().toString());
        }
        if (r.boundAccount() != null) {
            n.put("account", r.boundAccount());
        }
        if (r.boundGroup() != null) {
            n.put("group", r.boundGroup());
        }
        return n;
    }

    private static List<String> clients(KeyRules r) {
        return r.allowedClients().stream().map(ClientKind::wireName).sorted().toList();
    }

    private static void strings(ObjectNode n, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode a = n.putArray(field);
            values.forEach(a::add);
        }
    }

    /** One line, e.g. {@code concurrency 4, 100 requests/1m, $5.00/day, clients claude-code}; {@code -} for none. */
    public static String rulesText(KeyRules r) {
        List<String> parts = new ArrayList<>();
        if (r.maxConcurrency() != null) {
            parts.add("concurrency " + r.maxConcurrency());
        }
        if (r.maxRequests() != null && r.requestWindow() != null) {
            parts.add(r.maxRequests() + " requests/" + Durations.format(r.requestWindow()));
        }
        if (r.maxTokens() != null && r.tokenWindow() != null) {
            parts.add(r.maxTokens() + " tokens/" + Durations.format(r.tokenWindow()));
        }
        if (r.dailyCostUsd() != null) {
            parts.add(usd(r.dailyCostUsd()) + "/day");
        }
        if (r.weeklyCostUsd() != null) {
            parts.add(usd(r.weeklyCostUsd()) + "/week");
        }
        if (r.totalCostUsd() != null) {
            parts.add(usd(r.totalCostUsd()) + " total");
        }
        if (!r.allowedModels().isEmpty()) {
            parts.add("models " + String.join(",", r.allowedModels()));
        }
        if (!r.deniedModels().isEmpty()) {
            parts.add("deny " + String.join(",", r.deniedModels()));
        }
        if (!r.allowedClients().isEmpty()) {
            parts.add("clients " + String.join(",", clients(r)));
        }
        if (r.expiresAt() != null) {
            parts.add("expires " + r.expiresAt());
        }
        if (r.boundAccount() != null) {
            parts.add("account " + r.boundAccount());
        }
        if (r.boundGroup() != null) {
            parts.add("group " + r.boundGroup());
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private static String usd(double amount) {
        return String.format(Locale.ROOT, "$%.2f", amount);
    }

    public static ObjectNode account(Account a) {
        ObjectNode n = Views.JSON.createObjectNode();
        n.put("id", a.id());
        n.put("name", a.name());
        n.put("kind", a.kind().wireName());
        n.put("baseUrl", Secrets.redactUrl(a.baseUrl()));
        n.put("hasCredential", a.credential() != null);
        if (a.proxy() != null) {
            n.put("proxy", Secrets.redactUrl(a.proxy()));
        }
        n.put("priority", a.priority());
        n.put("schedulable", a.schedulable());
        if (a.group() != null) {
            n.put("group", a.group());
        }
        strings(n, "models", a.models());
        if (!a.modelMap().isEmpty()) {
            ObjectNode map = n.putObject("modelMap");
            a.modelMap().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> map.put(e.getKey(), e.getValue()));
        }
        if (a.trustCertificates() != null) {
            n.put("trustCertificates", a.trustCertificates());
        }
        if (!a.headers().isEmpty()) {
            // values may be secrets: names only
            ObjectNode headers = n.putObject("headers");
            a.headers().keySet().forEach(h -> headers.put(h, "set"));
        }
        if (a.credential() != null && io.relaygate.core.OAuthTokens.isOAuth(a.kind())) {
            ObjectNode oauth = n.putObject("oauth");
            try {
                io.relaygate.core.OAuthTokens t = io.relaygate.core.OAuthTokens.parse(a.credential());
                oauth.put("refreshable", t.refreshToken() != null);
                oauth.put(
                        "expiresAt",
                        t.expiresAt() == null ? null : t.expiresAt().toString());
            } catch (IllegalArgumentException e) {
                oauth.put("refreshable", false);
            }
        }
        CloudAccountSetup.describe(n, a);
        n.put("createdAt", a.createdAt().toString());
        return n;
    }

    public static String modelMapText(Map<String, String> map) {
        return map.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    /** Left-aligned columns separated by two spaces; the first row is the header. */
    public static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row.get(c));
                if (c < columns - 1) {
                    line.append(" ".repeat(widths[c] - row.get(c).length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
