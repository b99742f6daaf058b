package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.UsageReport;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.Account;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Secrets;
import io.relaygate.server.upstream.TokenEndpoint;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's routes, once the caller is authorised:
 *
 * <ul>
 *   <li>{@code GET /admin/usage?by=key|account|model&period=hour|day|week|total&at=2026-11-30}: the JSON
 *       {@code relaygate usage --json} prints
 *   <li>{@code GET /admin/overview?range=hour|day|week}: the console's overview ({@link OverviewReport})
 *   <li>{@code GET /admin/keys}: every key with its rules, today's usage and its limits ({@link KeysAdmin});
 *       {@code POST /admin/keys} creates one (the secret in the answer, once); {@code POST
 *       /admin/keys/<name>/disable|enable|rotate|rules}
 *   <li>{@code GET /admin/accounts}: every account with its state, why, until when, its last use and its upstream's
 *       last rate-limit reading; never credentials. {@code POST /admin/accounts} adds one ({@link AdminAccounts#add});
 *       {@code POST /admin/accounts/<name>/resume} puts it back into rotation; {@code POST
 *       /admin/accounts/<name>/test} runs the connection test ({@link AccountProbe})
 *   <li>{@code POST /admin/oauth/claude} and {@code /admin/oauth/codex}: start a Claude or ChatGPT sign-in:
 *       {@code {"url", "verifier"}}
 *   <li>{@code GET /admin/settings}, {@code POST /admin/settings} and {@code /admin/settings/remove}: the managed
 *       settings of signed-in Claude Code clients ({@link ManagedSettingsApi})
 *   <li>{@code GET /admin/audit?limit=N}: the latest admin changes from the audit log ({@link AuditLog})
 * </ul>
 */
final class AdminRouter {

    private final Store store;
    private final Clock clock;
    private final TokenEndpoint tokens;
    private final KeysAdmin keys;
    private final OverviewReport overview = new OverviewReport();
    private final PeopleApi people;
    private final ManagedSettingsApi settings;

    AdminRouter(Store store, Clock clock, TokenEndpoint tokens) {
        this.store = store;
        this.clock = clock;
        this.tokens = tokens;
        this.keys = new KeysAdmin(store);
        this.people = new PeopleApi(new io.relaygate.server.signin.PeopleAdmin(store, clock));
        this.settings = new ManagedSettingsApi(store.documents());
    }

    /**
     * {@code PUT /admin/catalogue} or {@code /admin/signatures}: a whole catalogue or signature set (JSON or YAML),
     * validated and stored for every instance (audited as {@code actor}).
     */
    CompletionStage<AdminAnswer> put(String path, String text, String actor) {
        switch (path) {
            case "/admin/catalogue":
                return CatalogueAdmin.update(store, "catalogue", text, actor)
                        .thenApply(c -> AdminAnswer.ok(CatalogueAdmin.json(c)));
            case "/admin/signatures":
                return SignaturesAdmin.update(store, "signatures", text, actor)
                        .thenApply(c -> AdminAnswer.ok(SignaturesAdmin.json(c)));
            default:
                throw new GatewayException(
                        ErrorKind.METHOD_NOT_ALLOWED,
                        "PUT " + path + " (expected: PUT on /admin/catalogue or /admin/signatures)");
        }
    }

    CompletionStage<AdminAnswer> get(String path, Map<String, List<String>> query) {
        Instant now = clock.instant();
        if (PeopleApi.matches(path)) {
            return people.get(path, query);
        }
        if (ManagedSettingsApi.matches(path)) {
            return settings.get(path);
        }
        switch (path) {
            case "/admin/usage":
                return usage(query, now);
            case "/admin/accounts":
                return accounts(now);
            case "/admin/keys":
                return keys.list(now);
            case "/admin/catalogue":
                return CatalogueAdmin.current(store).thenApply(c -> AdminAnswer.ok(CatalogueAdmin.json(c)));
            case "/admin/signatures":
                return SignaturesAdmin.current(store).thenApply(c -> AdminAnswer.ok(SignaturesAdmin.json(c)));
            case "/admin/overview":
                String range = first(query, "range");
                return overview.read(store, range == null ? "day" : range, now);
            case "/admin/audit":
                String limit = first(query, "limit");
                return CompletableFuture.supplyAsync(() -> AdminAnswer.ok(AuditLog.latest(AuditLog.limit(limit))));
            default:
                throw new GatewayException(
                        ErrorKind.NOT_FOUND,
                        "no admin route " + path
                                + " (expected: /admin/usage, /admin/overview, /admin/requests, /admin/keys, /admin/accounts,"
                                + " /admin/catalogue, /admin/signatures, /admin/settings or /admin/audit)");
        }
    }

    CompletionStage<AdminAnswer> post(String path, JsonNode body, String actor) {
        Instant now = clock.instant();
        if (PeopleApi.matches(path)) {
            return people.post(path, body, actor, now);
        }
        if (ManagedSettingsApi.matches(path)) {
            return settings.post(path, body, actor, now);
        }
        if (path.equals("/admin/oauth/claude")) {
            return CompletableFuture.completedFuture(AdminAnswer.ok(AdminAccounts.claudeSignIn(null)));
        }
        if (path.equals("/admin/oauth/codex")) {
            return CompletableFuture.completedFuture(AdminAnswer.ok(AdminAccounts.codexSignIn(null)));
        }
        if (path.equals("/admin/accounts")) {
            // A Claude code is exchanged over HTTP: off the event loop.
            return CompletableFuture.supplyAsync(() -> AdminAccounts.add(store, body, actor, tokens))
                    .thenCompose(stage -> stage)
                    .thenApply(view -> new AdminAnswer(201, view));
        }
        if (path.equals("/admin/keys")) {
            return keys.create(body, actor, now);
        }
        String[] parts = path.split("/");
        // "", "admin", "keys"|"accounts", name, action
        if (parts.length == 5 && parts[2].equals("keys")) {
            String name = parts[3];
            switch (parts[4]) {
                case "disable":
                    return keys.setEnabled(name, false, actor);
                case "enable":
                    return keys.setEnabled(name, true, actor);
                case "rotate":
                    return keys.rotate(name, actor);
                case "rules":
                    return keys.rules(name, body, actor, now);
                default:
                    break;
            }
        }
        if (parts.length == 5 && parts[2].equals("accounts")) {
            String name = parts[3];
            switch (parts[4]) {
                case "resume":
                    return AdminAccounts.resume(store, name, actor, now)
                            .thenApply(resumed -> AdminAnswer.ok(Views.account(resumed.account())));
                case "edit":
                    return AccountEdits.edit(store, name, body, actor).thenApply(AdminAnswer::ok);
                case "test":
                    String model =
                            body.path("model").isTextual() ? body.path("model").asText() : null;
                    return test(name, model);
                default:
                    break;
            }
        }
        throw new GatewayException(
                ErrorKind.NOT_FOUND,
                "no admin route POST " + path
                        + " (expected: /admin/keys, /admin/keys/<name>/disable|enable|rotate|rules,"
                        + " /admin/accounts, /admin/accounts/<name>/resume|edit|test, /admin/settings,"
                        + " /admin/settings/remove, /admin/oauth/claude or /admin/oauth/codex)");
    }

    private CompletionStage<AdminAnswer> test(String name, @Nullable String model) {
        return store.accounts().findByName(name).thenCompose(found -> {
            Account account = found.orElseThrow(
                    () -> new GatewayException(ErrorKind.NOT_FOUND, "account name: " + name + " not found"));
            return CatalogueAdmin.current(store)
                    .thenCompose(catalogue -> AccountProbe.run(tokens, account, model, catalogue))
                    .thenApply(AdminAnswer::ok);
        });
    }

    private CompletionStage<AdminAnswer> usage(Map<String, List<String>> query, Instant now) {
        UsageScope scope = UsageReport.parseScope(first(query, "by"));
        Period period = UsageReport.parsePeriod(first(query, "period"));
        Instant at = UsageReport.parseAt(first(query, "at"), now);
        return UsageReport.read(store, scope, period, at)
                .thenCombine(
                        CatalogueAdmin.current(store),
                        (r, catalogue) -> AdminAnswer.ok(r.toJson(Views.JSON, catalogue)));
    }

    private CompletionStage<AdminAnswer> accounts(Instant now) {
        CompletableFuture<List<Account>> accounts = store.accounts().list().toCompletableFuture();
        CompletableFuture<Map<String, AccountCondition>> conditions =
                store.state().conditions(now).toCompletableFuture();
        CompletableFuture<Map<String, Instant>> used = store.state().lastUsed().toCompletableFuture();
        CompletableFuture<Map<String, AccountQuota>> quotas =
                store.state().quotas().toCompletableFuture();
        return CompletableFuture.allOf(accounts, conditions, used, quotas).thenApply(done -> {
            ObjectNode n = Views.JSON.createObjectNode();
            ArrayNode a = n.putArray("accounts");
            for (Account acc : accounts.join()) {
                ObjectNode o = Views.account(acc);
                o.put("baseUrl", Secrets.redactUrl(acc.baseUrl()));
                AccountStateJson.put(
                        o,
                        conditions.join().get(acc.id()),
                        used.join().get(acc.id()),
                        quotas.join().get(acc.id()),
                        now);
                a.add(o);
            }
            return AdminAnswer.ok(n);
        });
    }

    static @Nullable String first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0).trim();
    }
}
