package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.CreatedKey;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.KeyWindows;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.ApiKey;
import io.relaygate.core.Durations;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.KeyRules;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The keys part of the admin API, the same operations as {@code relaygate keys}: list (with each key's usage against
 * each cost limit and when its window resets), create (the secret in the answer, once), disable, enable, rotate the
 * secret, replace the rules. Each change goes to the audit log.
 */
public final class KeysAdmin {

    private final Store store;
    private final ApiKeyService keys;

    public KeysAdmin(Store store) {
        this.store = store;
        this.keys = new ApiKeyService(store.keys());
    }

    CompletionStage<AdminAnswer> list(Instant now) {
        CompletableFuture<List<ApiKey>> all = store.keys().list().toCompletableFuture();
        CompletableFuture<Map<String, UsageCounters>> day = usage(Period.DAY, now);
        CompletableFuture<Map<String, UsageCounters>> week = usage(Period.WEEK, now);
        CompletableFuture<Map<String, UsageCounters>> total = usage(Period.TOTAL, now);
        CompletableFuture<Map<String, KeyWindows>> windows = all.thenCompose(list -> windows(list, now));
        return CompletableFuture.allOf(all, day, week, total, windows).thenApply(done -> {
            ObjectNode n = Views.JSON.createObjectNode();
            ArrayNode a = n.putArray("keys");
            for (ApiKey k : all.join()) {
                ObjectNode v = Views.key(k);
                UsageCounters d = day.join().getOrDefault(k.id(), UsageCounters.ZERO);
                v.set("today", counters(d));
                v.set(
                        "limits",
                        limits(
                                k.rules(),
                                d,
                                week.join().getOrDefault(k.id(), UsageCounters.ZERO),
                                total.join().getOrDefault(k.id(), UsageCounters.ZERO),
                                windows.join().getOrDefault(k.id(), KeyWindows.UNKNOWN),
                                now));
                a.add(v);
            }
            return AdminAnswer.ok(n);
        });
    }

    /** The admission windows of the keys that have window or concurrency rules (at most three reads each). */
    private CompletableFuture<Map<String, KeyWindows>> windows(List<ApiKey> keys, Instant now) {
        Map<String, CompletableFuture<KeyWindows>> reads = new HashMap<>();
        for (ApiKey k : keys) {
            KeyRules r = k.rules();
            if (r.maxRequests() != null || r.maxTokens() != null || r.maxConcurrency() != null) {
                reads.put(k.id(), store.state().windows(k.id(), r, now).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    Map<String, KeyWindows> m = new HashMap<>();
                    reads.forEach((id, f) -> m.put(id, f.join()));
                    return m;
                });
    }

    CompletableFuture<Map<String, UsageCounters>> usage(Period period, Instant now) {
        return store.state()
                .usage(UsageScope.KEY, period, now)
                .thenApply(rows -> {
                    Map<String, UsageCounters> m = new HashMap<>();
                    for (UsageRow r : rows) {
                        m.put(r.id(), r.counters());
                    }
                    return m;
                })
                .toCompletableFuture();
    }

    static ObjectNode counters(UsageCounters c) {
        ObjectNode n = Views.JSON.createObjectNode();
        n.put("requests", c.requests());
        n.put("errors", c.errors());
        n.put("inputTokens", c.inputTokens());
        n.put("outputTokens", c.outputTokens());
        n.put("cacheReadTokens", c.cacheReadTokens());
        n.put("cacheWriteTokens", c.cacheCreationTokens());
        n.put("costUsd", c.costUsd());
        return n;
    }

    /**
     * Each limit of {@code rules} with what was used, what is left and when its window resets: the cost limits from
     * the usage counters (UTC day, ISO week, lifetime), the request and token windows and the requests in flight from
     * the admission state ({@code windows}; a part the backend cannot tell shows the limit only).
     */
    static ArrayNode limits(
            KeyRules r, UsageCounters day, UsageCounters week, UsageCounters total, KeyWindows windows, Instant now) {
        ArrayNode a = Views.JSON.createArrayNode();
        if (r.dailyCostUsd() != null) {
            cost(a, "cost per day", r.dailyCostUsd(), day, Period.DAY.end(now));
        }
        if (r.weeklyCostUsd() != null) {
            cost(a, "cost per week", r.weeklyCostUsd(), week, Period.WEEK.end(now));
        }
        if (r.totalCostUsd() != null) {
            cost(a, "total cost", r.totalCostUsd(), total, null);
        }
        if (r.maxRequests() != null && r.requestWindow() != null) {
            counted(
                    a,
                    "requests per " + Durations.format(r.requestWindow()),
                    r.maxRequests(),
                    "requests",
                    windows.requests());
        }
        if (r.maxTokens() != null && r.tokenWindow() != null) {
            counted(a, "tokens per " + Durations.format(r.tokenWindow()), r.maxTokens(), "tokens", windows.tokens());
        }
        if (r.maxConcurrency() != null) {
            ObjectNode o = a.addObject()
                    .put("name", "requests at once")
                    .put("limit", r.maxConcurrency())
                    .put("unit", "requests");
            if (windows.inFlight() != null) {
                o.put("used", windows.inFlight()).put("left", Math.max(0, r.maxConcurrency() - windows.inFlight()));
            }
        }
        return a;
    }

    private static void counted(ArrayNode a, String name, long limit, String unit, KeyWindows.@Nullable Window window) {
        ObjectNode o = a.addObject().put("name", name).put("limit", limit).put("unit", unit);
        if (window != null) {
            o.put("used", window.used())
                    .put("left", Math.max(0, limit - window.used()))
                    .put("resetsAt", window.resetsAt().toString());
        }
    }

    private static void cost(ArrayNode a, String name, double limit, UsageCounters used, Instant resetsAt) {
        ObjectNode o = a.addObject()
                .put("name", name)
                .put("limit", limit)
                .put("used", used.costUsd())
                .put("left", Math.max(0, limit - used.costUsd()))
                .put("unit", "USD");
        if (resetsAt != null) {
            o.put("resetsAt", resetsAt.toString());
        }
    }

    CompletionStage<AdminAnswer> create(JsonNode body, String actor, Instant now) {
        String name = body.path("name").asText("").trim();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: missing (expected: the key's unique name)");
        }
        KeyRules rules = KeyRulesJson.parse(body.path("rules").isObject() ? body.path("rules") : body, now);
        CompletionStage<Void> bound = rules.boundAccount() == null
                ? CompletableFuture.completedFuture(null)
                : store.accounts().findByName(rules.boundAccount()).thenAccept(found -> {
                    if (found.isEmpty()) {
                        throw new IllegalArgumentException("account: " + rules.boundAccount() + " (no such account)");
                    }
                });
        return bound.thenCompose(ok -> keys.create(name, rules)).thenApply(created -> {
            Audit.change(actor, "keys.create", "key:" + name, null, Views.key(created.key()));
            return new AdminAnswer(201, withSecret(created));
        });
    }

    private static ObjectNode withSecret(CreatedKey created) {
        ObjectNode n = Views.key(created.key());
        n.put("secret", created.secret());
        return n;
    }

    CompletionStage<AdminAnswer> setEnabled(String name, boolean enabled, String actor) {
        return find(name)
                .thenCompose(key -> keys.update(key.withEnabled(enabled)).thenApply(after -> {
                    Audit.change(
                            actor,
                            enabled ? "keys.enable" : "keys.disable",
                            "key:" + name,
                            Views.key(key),
                            Views.key(after));
                    return AdminAnswer.ok(Views.key(after));
                }));
    }

    CompletionStage<AdminAnswer> rotate(String name, String actor) {
        return find(name).thenCompose(before -> keys.rotate(name).thenApply(created -> {
            Audit.change(actor, "keys.rotate", "key:" + name, Views.key(before), Views.key(created.key()));
            return AdminAnswer.ok(withSecret(created));
        }));
    }

    CompletionStage<AdminAnswer> rules(String name, JsonNode body, String actor, Instant now) {
        return replaceRules(name, KeyRulesJson.parse(body, now), actor);
    }

    /** {@code relaygate keys enable|disable N}: the same change and audit line as the API's; answers the key's view. */
    public CompletionStage<ObjectNode> enabled(String name, boolean enabled, String actor) {
        return setEnabled(name, enabled, actor).thenApply(AdminAnswer::json);
    }

    /** {@code relaygate keys rotate N}: a new secret (in the answer, once), the old one refused from now on. */
    public CompletionStage<ObjectNode> rotated(String name, String actor) {
        return rotate(name, actor).thenApply(AdminAnswer::json);
    }

    /** {@code relaygate keys edit N [rules]}: the key's rules replaced by {@code rules}. */
    public CompletionStage<ObjectNode> ruled(String name, KeyRules rules, String actor) {
        return replaceRules(name, rules, actor).thenApply(AdminAnswer::json);
    }

    private CompletionStage<AdminAnswer> replaceRules(String name, KeyRules rules, String actor) {
        return find(name).thenCompose(key -> keys.update(key.withRules(rules)).thenApply(after -> {
            Audit.change(actor, "keys.rules", "key:" + name, Views.key(key), Views.key(after));
            return AdminAnswer.ok(Views.key(after));
        }));
    }

    private CompletionStage<ApiKey> find(String name) {
        return store.keys()
                .findByName(name)
                .thenApply(found -> found.orElseThrow(
                        () -> new GatewayException(ErrorKind.NOT_FOUND, "key name: " + name + " not found")));
    }
}
