package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Names;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.OAuthTokens;
import io.relaygate.server.upstream.TokenEndpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's account changes, with the CLI's rules: the same sign-in options (an API key, a Claude code and its
 * PKCE verifier, a refresh token, a Codex {@code auth.json}), the same JSON view (never a credential) and the same
 * audit lines, with the admin API's caller as the actor. Bad input is an {@link IllegalArgumentException} naming the
 * field.
 */
public final class AdminAccounts {

    private AdminAccounts() {}

    /** Starts a Claude sign-in: the URL to open and the verifier to send back with the code. */
    public static ObjectNode claudeSignIn(@Nullable String clientId) {
        OAuthOnboarding.Pkce pkce = OAuthOnboarding.Pkce.create();
        String url = OAuthOnboarding.claudeAuthorizeUrl(
                pkce, OAuthTokens.CLAUDE_AUTHORIZE_URL, clientId != null ? clientId : OAuthTokens.CLAUDE_CLIENT_ID);
        return Views.JSON.createObjectNode().put("url", url).put("verifier", pkce.verifier());
    }

    /** Starts a ChatGPT (Codex) sign-in: the URL to open and the verifier to send back with the pasted address. */
    public static ObjectNode codexSignIn(@Nullable String clientId) {
        OAuthOnboarding.Pkce pkce = OAuthOnboarding.Pkce.create();
        String url = OAuthOnboarding.codexAuthorizeUrl(
                pkce, OAuthOnboarding.CODEX_AUTHORIZE_URL, clientId != null ? clientId : OAuthTokens.CODEX_CLIENT_ID);
        return Views.JSON.createObjectNode().put("url", url).put("verifier", pkce.verifier());
    }

    /**
     * Adds the account {@code body} describes: {@code kind}, {@code name}, {@code baseUrl}, optional {@code priority},
     * {@code group}, {@code models}, {@code modelMap}, {@code proxy}, {@code schedulable} (default true), {@code headers}
     * (extra upstream headers, an object of strings), and one of {@code apiKey}, {@code oauthCode} (Claude's
     * code, or the address ChatGPT's sign-in ended on) + {@code oauthVerifier}, {@code refreshToken}, {@code codexAuth}
     * (the content of Codex's auth.json), with optional {@code tokenUrl} and {@code clientId}; cloud accounts take their
     * own fields instead ({@link CloudAccountSetup}: a {@code bedrock} account's {@code region}, {@code profilePrefix}
     * and IAM keys or {@code bedrockApiKey}, a {@code vertex} account's {@code project}, {@code region} and {@code
     * serviceAccountJson}; {@code baseUrl} then defaults to the region's endpoint). The token exchange, when there is
     * one, goes through the account's proxy
     * and blocks: call it off the event loop.
     */
    public static CompletionStage<ObjectNode> add(Store store, JsonNode body, String actor, TokenEndpoint tokens) {
        Account account = parse(body, tokens);
        return store.accounts().create(account).thenApply(added -> {
            ObjectNode view = Views.account(added);
            Audit.change(actor, "accounts.add", "account:" + added.name(), null, view);
            return view;
        });
    }

    /** An account put back into rotation, and the condition it was in (null: it was in rotation already). */
    public record Resumed(Account account, @Nullable AccountCondition before) {}

    /**
     * Puts {@code name} back into rotation and audits it as done by {@code actor}: the one way both the admin API and
     * {@code relaygate accounts resume} do it. Fails with {@link UsageException} when there is no such account.
     */
    public static CompletionStage<Resumed> resume(Store store, String name, String actor, Instant now) {
        return store.accounts().findByName(name).thenCompose(found -> {
            Account account = found.orElseThrow(() -> new UsageException("no account named " + name));
            return store.state().conditions(now).thenCompose(conditions -> {
                AccountCondition before = conditions.get(account.id());
                return store.state().clearCondition(account.id()).thenApply(done -> {
                    Audit.change(
                            actor,
                            "accounts.resume",
                            "account:" + account.name(),
                            AccountStateJson.put(Views.JSON.createObjectNode(), before, null),
                            AccountStateJson.put(Views.JSON.createObjectNode(), null, null));
                    return new Resumed(account, before);
                });
            });
        });
    }

    private static Account parse(JsonNode body, TokenEndpoint tokens) {
        if (!body.isObject()) {
            throw new IllegalArgumentException("body: expected a JSON object");
        }
        AccountKind kind = AccountKind.fromWireName(required(body, "kind"));
        String name = required(body, "name");
        Names.check("name", name);
        String group = text(body, "group");
        if (group != null) {
            Names.check("group", group);
        }
        List<String> models = new ArrayList<>();
        body.path("models").forEach(m -> models.add(m.asText()));
        Map<String, String> modelMap = new LinkedHashMap<>();
        body.path("modelMap")
                .fields()
                .forEachRemaining(e -> modelMap.put(e.getKey(), e.getValue().asText()));
        String credential = kind.cloud() ? cloudCredential(kind, body) : credential(kind, body, tokens);
        String baseUrl = kind.cloud()
                        && (text(body, "baseUrl") == null
                                || text(body, "baseUrl").isBlank())
                ? CloudAccountSetup.defaultBaseUrl(kind, java.util.Objects.requireNonNull(credential, "credential"))
                : required(body, "baseUrl");
        return new Account(
                Ids.random(10),
                name,
                kind,
                baseUrl,
                credential,
                text(body, "proxy"),
                body.path("priority").canConvertToInt() ? body.path("priority").asInt() : Account.DEFAULT_PRIORITY,
                body.path("schedulable").asBoolean(true),
                group,
                models,
                modelMap,
                Instant.now(),
                null,
                AccountEdits.headersOf(body.get("headers")));
    }

    private static @Nullable String credential(AccountKind kind, JsonNode body, TokenEndpoint tokens) {
        String tokenUrl = text(body, "tokenUrl");
        String clientId = text(body, "clientId");
        String code = text(body, "oauthCode");
        String refresh = text(body, "refreshToken");
        JsonNode codexAuth = body.get("codexAuth");
        String apiKey = text(body, "apiKey");
        int given = (code != null ? 1 : 0)
                + (refresh != null ? 1 : 0)
                + (codexAuth != null ? 1 : 0)
                + (apiKey != null ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException(
                    "apiKey, oauthCode, refreshToken, codexAuth: more than one given (expected: one way to sign in)");
        }
        if (!OAuthTokens.isOAuth(kind) && (code != null || refresh != null || codexAuth != null)) {
            throw new IllegalArgumentException(kind.wireName() + " accounts take an apiKey");
        }
        try {
            if (code != null && kind == AccountKind.CODEX_OAUTH) {
                return OAuthOnboarding.exchangeCodexCode(
                                tokens,
                                code,
                                required(body, "oauthVerifier"),
                                tokenUrl,
                                clientId,
                                text(body, "proxy"),
                                null)
                        .encode();
            }
            if (code != null) {
                return OAuthOnboarding.exchangeClaudeCode(
                                tokens,
                                code,
                                required(body, "oauthVerifier"),
                                tokenUrl,
                                clientId,
                                text(body, "proxy"),
                                null)
                        .encode();
            }
            if (refresh != null) {
                return OAuthOnboarding.fromRefreshToken(refresh, tokenUrl, clientId)
                        .encode();
            }
            if (codexAuth != null) {
                return OAuthOnboarding.fromCodexAuth(codexAuth, "codexAuth", tokenUrl, clientId)
                        .encode();
            }
        } catch (UsageException e) {
            throw new IllegalArgumentException(
                    e.getMessage().replace("--oauth-code", "oauthCode").replace("--codex-auth-file", "codexAuth"));
        }
        return apiKey;
    }

    /**
     * A {@code bedrock} account's {@code region}, {@code profilePrefix}, {@code awsAccessKeyId} + {@code
     * awsSecretAccessKey} (+ {@code awsSessionToken}) or {@code bedrockApiKey}; a {@code vertex} account's {@code
     * project}, {@code region} and {@code serviceAccountJson}: checked and stored as the CLI does it.
     */
    private static String cloudCredential(AccountKind kind, JsonNode body) {
        UnaryOperator<String> given = field -> {
            String v = text(body, field);
            return v == null || v.isBlank() ? null : v.trim();
        };
        for (String other : new String[] {"apiKey", "oauthCode", "refreshToken", "codexAuth"}) {
            JsonNode v = body.get(other);
            if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isBlank())) {
                throw new IllegalArgumentException(other + ": not for " + kind.wireName()
                        + " accounts (expected: "
                        + (kind == AccountKind.BEDROCK
                                ? "awsAccessKeyId and awsSecretAccessKey, or bedrockApiKey)"
                                : "serviceAccountJson)"));
            }
        }
        JsonNode sa = body.get("serviceAccountJson");
        String serviceAccount =
                sa == null || sa.isNull() || (sa.isTextual() && sa.asText().isBlank())
                        ? null
                        : sa.isObject() ? sa.toString() : sa.asText();
        return CloudAccountSetup.credential(
                kind,
                new CloudAccountSetup.Given(
                        given.apply("region"),
                        given.apply("profilePrefix"),
                        given.apply("awsAccessKeyId"),
                        given.apply("awsSecretAccessKey"),
                        given.apply("awsSessionToken"),
                        given.apply("bedrockApiKey"),
                        given.apply("project"),
                        serviceAccount,
                        field -> field));
    }

    private static String required(JsonNode body, String field) {
        String v = text(body, field);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(field + ": required");
        }
        return v;
    }

    private static @Nullable String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
