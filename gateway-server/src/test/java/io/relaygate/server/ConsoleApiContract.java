package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.AccountKind;
import io.relaygate.server.admin.AdminPassword;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API behind every console page, over real sockets, signed in as the console does it (password, session
 * cookie, CSRF token): sign-in safety, keys, accounts and the connection test, the overview, the audit, the key
 * holder's page and the console's own files. {@link LocalConsoleApiIT} and {@link RedisConsoleApiIT} run it on both
 * stores.
 */
abstract class ConsoleApiContract {

    static final String PASSWORD = "console-password-for-tests";
    static final ObjectMapper JSON = new ObjectMapper();

    GatewayHarness gw;
    String cookie;
    String csrf;

    abstract GatewayHarness start() throws Exception;

    @BeforeEach
    void signIn() throws Exception {
        gw = start();
        gw.store
                .admin()
                .setPasswordHash(AdminPassword.hash(PASSWORD))
                .toCompletableFuture()
                .join();
        HttpResponse<byte[]> r = login(PASSWORD);
        assertThat(r.statusCode()).as(body(r)).isEqualTo(200);
        cookie = r.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        csrf = JSON.readTree(r.body()).path("csrf").asText();
    }

    @AfterEach
    void stop() throws Exception {
        gw.store
                .admin()
                .clearFailures("address:127.0.0.1")
                .toCompletableFuture()
                .join();
        gw.store.admin().clearFailures("account:admin").toCompletableFuture().join();
        gw.close();
    }

    HttpResponse<byte[]> login(String password) throws Exception {
        return send("POST", "/admin/login", "{\"password\":\"" + password + "\"}", List.of());
    }

    HttpResponse<byte[]> send(String method, String path, String body, List<String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                .timeout(GatewayHarness.WAIT)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.size(); i += 2) {
            b.header(headers.get(i), headers.get(i + 1));
        }
        return GatewayHarness.recorded(gw.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /**
     * A write whose answer holds a key's secret by design (creation, rotation): kept out of the suite's secret scan,
     * which looks at every other response for it.
     */
    HttpResponse<byte[]> postAnsweringASecret(String path, String json) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                .timeout(GatewayHarness.WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .header("cookie", cookie)
                .header("x-csrf-token", csrf)
                .header("content-type", "application/json")
                .build();
        return gw.http.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<byte[]> r = send("GET", path, null, List.of("cookie", cookie));
        assertThat(r.statusCode()).as(path + ": " + body(r)).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    HttpResponse<byte[]> post(String path, String json) throws Exception {
        return send(
                "POST",
                path,
                json,
                List.of("cookie", cookie, "x-csrf-token", csrf, "content-type", "application/json"));
    }

    static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void theSessionCookieIsHttpOnlyStrictAndSecureOnlyBehindTls() throws Exception {
        HttpResponse<byte[]> plain = login(PASSWORD);
        String c = plain.headers().firstValue("set-cookie").orElseThrow();
        assertThat(c)
                .containsIgnoringCase("HttpOnly")
                .contains("SameSite=Strict")
                .contains("Path=/")
                .doesNotContain("Secure");
        HttpResponse<byte[]> forged = send(
                "POST", "/admin/login", "{\"password\":\"" + PASSWORD + "\"}", List.of("x-forwarded-proto", "https"));
        assertThat(forged.headers().firstValue("set-cookie").orElseThrow())
                .as("X-Forwarded-Proto counts from a trusted proxy only (PublicOriginIT), and this client is none")
                .doesNotContain("Secure");
        assertThat(body(plain)).doesNotContain(PASSWORD);
        assertThat(get("/admin/session").path("csrf").asText()).isEqualTo(csrf);
    }

    @Test
    void aWriteWithoutTheCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        HttpResponse<byte[]> none = send(
                "POST",
                "/admin/keys",
                "{\"name\":\"csrf-less\"}",
                List.of("cookie", cookie, "content-type", "application/json"));
        HttpResponse<byte[]> wrong = send(
                "POST", "/admin/keys", "{\"name\":\"csrf-less\"}", List.of("cookie", cookie, "x-csrf-token", "nope"));

        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(body(none)).contains("CSRF token missing or wrong");
        assertThat(gw.store.keys().findByName("csrf-less").toCompletableFuture().join())
                .isEmpty();
    }

    @Test
    void withoutASessionNothingIsShownAndALoggedOutCookieIsDead() throws Exception {
        assertThat(send("GET", "/admin/keys", null, List.of()).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/admin/keys", null, List.of("cookie", "relaygate_session=forged"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(post("/admin/logout", "{}").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/admin/keys", null, List.of("cookie", cookie)).statusCode())
                .isEqualTo(401);
    }

    @Test
    void wrongPasswordsAreThrottledPerAddressEvenForTheRightOneAfterwards() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<byte[]> wrong = login("not-the-password-" + i);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(body(wrong)).contains("wrong password").doesNotContain("not-the-password");
        }
        HttpResponse<byte[]> throttled = login(PASSWORD);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("retry-after")).contains("900");
        assertThat(gw.store
                        .admin()
                        .failures("address:127.0.0.1")
                        .toCompletableFuture()
                        .join())
                .isEqualTo(5);
    }

    @Test
    void aKeyIsCreatedWithRulesUsedListedWithItsLimitsDisabledRotatedAndEdited() throws Exception {
        HttpResponse<byte[]> created = postAnsweringASecret(
                "/admin/keys",
                "{\"name\":\"alice\",\"rules\":{\"dailyCostUsd\":\"5\",\"requests\":\"100\",\"requestWindow\":\"1m\","
                        + "\"clients\":\"claude-code,other\",\"expiresAt\":\"2099-12-31\"}}");
        assertThat(created.statusCode()).as(body(created)).isEqualTo(201);
        String secret = JSON.readTree(created.body()).path("secret").asText();
        SuiteSecretScan.secret(secret);
        assertThat(secret).startsWith("rg_");

        assertThat(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", secret)
                        .statusCode())
                .isEqualTo(200);
        JsonNode alice = awaitKey("alice", 1);
        assertThat(alice.toString()).doesNotContain(secret);
        assertThat(alice.path("rules").path("requestWindow").asText()).isEqualTo("1m");
        JsonNode daily = alice.path("limits").get(0);
        assertThat(daily.path("name").asText()).isEqualTo("cost per day");
        assertThat(daily.path("limit").asDouble()).isEqualTo(5.0);
        assertThat(daily.path("used").asDouble()).isPositive();
        assertThat(daily.path("resetsAt").asText()).endsWith("T00:00:00Z");

        assertThat(post("/admin/keys/alice/disable", "{}").statusCode()).isEqualTo(200);
        assertThat(awaitRefused(secret)).as("a disabled key is refused").isEqualTo(403);
        assertThat(post("/admin/keys/alice/enable", "{}").statusCode()).isEqualTo(200);

        HttpResponse<byte[]> rotated = postAnsweringASecret("/admin/keys/alice/rotate", "{}");
        String fresh = JSON.readTree(rotated.body()).path("secret").asText();
        SuiteSecretScan.secret(fresh);
        assertThat(fresh).isNotEqualTo(secret);
        assertThat(awaitRefused(secret)).as("the old secret after a rotation").isEqualTo(401);
        assertThat(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", fresh)
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<byte[]> edited = post("/admin/keys/alice/rules", "{\"models\":[\"claude-haiku-4-5\"]}");
        assertThat(JSON.readTree(edited.body())
                        .path("rules")
                        .path("models")
                        .get(0)
                        .asText())
                .isEqualTo("claude-haiku-4-5");
        HttpResponse<byte[]> bad = post("/admin/keys/alice/rules", "{\"requests\":\"-3\",\"requestWindow\":\"1m\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(body(bad)).contains("requests: -3 (expected: a whole number > 0)");
        assertThat(post("/admin/keys/nobody/disable", "{}").statusCode()).isEqualTo(404);
        assertThat(post("/admin/keys", "{\"name\":\"alice\"}").statusCode())
                .as("a taken name")
                .isEqualTo(400);
    }

    @Test
    void eachKeyShowsItsRequestAndTokenWindowsAndRequestsInFlightAgainstTheLimits() throws Exception {
        HttpResponse<byte[]> created = postAnsweringASecret(
                "/admin/keys",
                "{\"name\":\"windowed\",\"rules\":{\"requests\":\"50\",\"requestWindow\":\"7d\","
                        + "\"tokens\":\"100000\",\"tokenWindow\":\"7d\",\"concurrency\":\"2\"}}");
        assertThat(created.statusCode()).as(body(created)).isEqualTo(201);
        String secret = JSON.readTree(created.body()).path("secret").asText();
        SuiteSecretScan.secret(secret);
        assertThat(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", secret)
                        .statusCode())
                .isEqualTo(200);

        // the token window is counted with the usage, written just after the answer: ask until it is in
        java.util.Map<String, JsonNode> limits = new java.util.HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline
                && limits.getOrDefault("tokens per 7d", JSON.createObjectNode())
                                .path("used")
                                .asLong()
                        == 0) {
            limits.clear();
            awaitKey("windowed", 1)
                    .path("limits")
                    .forEach(l -> limits.put(l.path("name").asText(), l));
            Thread.sleep(50);
        }
        JsonNode requests = limits.get("requests per 7d");
        assertThat(requests.path("used").asLong()).isEqualTo(1);
        assertThat(requests.path("left").asLong()).isEqualTo(49);
        assertThat(java.time.Instant.parse(requests.path("resetsAt").asText())).isAfter(java.time.Instant.now());
        JsonNode tokens = limits.get("tokens per 7d");
        assertThat(tokens.path("used").asLong()).as("the request's tokens").isPositive();
        assertThat(tokens.path("unit").asText()).isEqualTo("tokens");
        JsonNode inFlight = limits.get("requests at once");
        assertThat(inFlight.path("used").asLong())
                .as("the lease was given back")
                .isZero();
        assertThat(inFlight.path("left").asLong()).isEqualTo(2);

        HttpResponse<byte[]> me = send("GET", "/me/api", null, List.of("x-api-key", secret));
        assertThat(JSON.readTree(me.body()).path("limits").toString())
                .as("the key holder sees the same windows")
                .contains("\"name\":\"requests per 7d\",\"limit\":50,\"unit\":\"requests\",\"used\":1");
    }

    private JsonNode awaitKey(String name, long requests) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode found = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode k : get("/admin/keys").path("keys")) {
                if (k.path("name").asText().equals(name)) {
                    found = k;
                }
            }
            if (found != null && found.path("today").path("requests").asLong() >= requests) {
                return found;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("key " + name + " never showed " + requests + " requests: " + found);
    }

    /** The status of requests with {@code secret} once the key cache let the change through (it lives seconds). */
    private int awaitRefused(String secret) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int status = 0;
        while (System.nanoTime() < deadline) {
            status = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", secret)
                    .statusCode();
            if (status != 200) {
                return status;
            }
            Thread.sleep(100);
        }
        return status;
    }

    @Test
    void theConnectionTestShowsStatusLatencyAndTheUpstreamsMessageWithoutTheCredential() throws Exception {
        HttpResponse<byte[]> ok = post("/admin/accounts/mock-anthropic/test", "{}");
        JsonNode good = JSON.readTree(ok.body());
        assertThat(good.path("ok").asBoolean()).as(body(ok)).isTrue();
        assertThat(good.path("status").asInt()).isEqualTo(200);
        assertThat(good.path("latencyMs").asLong()).isNotNegative();

        gw.addAccount("revoked", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-error-401", 5);
        HttpResponse<byte[]> r = post("/admin/accounts/revoked/test", "{}");
        JsonNode bad = JSON.readTree(r.body());
        assertThat(bad.path("ok").asBoolean()).isFalse();
        assertThat(bad.path("status").asInt()).isEqualTo(401);
        assertThat(bad.path("message").asText()).isNotEmpty().doesNotContain("mock-error-401");

        gw.addAccount("nowhere", AccountKind.OPENAI_COMPATIBLE, "http://127.0.0.1:9", "sk-none-credential", 5);
        JsonNode down = JSON.readTree(post("/admin/accounts/nowhere/test", "{}").body());
        assertThat(down.path("ok").asBoolean()).isFalse();
        assertThat(down.path("status").isNull()).isTrue();
        assertThat(down.path("message").asText()).contains("unreachable");
        assertThat(post("/admin/accounts/ghost/test", "{}").statusCode()).isEqualTo(404);
        JsonNode states = get("/admin/accounts");
        assertThat(states.toString())
                .doesNotContain(GatewayHarness.UPSTREAM_KEY)
                .doesNotContain("sk-none-credential");
    }

    @Test
    void anAccountAddedFromTheConsoleIsListedWithItsStateAndNoCredential() throws Exception {
        HttpResponse<byte[]> added = post(
                "/admin/accounts",
                "{\"kind\":\"openai-compatible\",\"name\":\"local-llm\",\"baseUrl\":\"" + gw.mock.baseUrl()
                        + "\",\"apiKey\":\"sk-console-added-credential\",\"priority\":10,\"schedulable\":false}");
        assertThat(added.statusCode()).as(body(added)).isEqualTo(201);
        assertThat(body(added)).doesNotContain("sk-console-added-credential");
        JsonNode local = null;
        for (JsonNode a : get("/admin/accounts").path("accounts")) {
            if (a.path("name").asText().equals("local-llm")) {
                local = a;
            }
        }
        assertThat(local).isNotNull();
        assertThat(local.path("hasCredential").asBoolean()).isTrue();
        assertThat(local.path("schedulable").asBoolean()).isFalse();
        JsonNode overview = get("/admin/overview?range=day");
        assertThat(overview.path("outOfRotation").findValuesAsText("name")).contains("local-llm");
    }

    @Test
    void anAccountsExtraHeadersGoUpstreamAreListedByNameOnlyAndEditable() throws Exception {
        String value = "hdr-secret-value-7f3a";
        SuiteSecretScan.secret(value);
        HttpResponse<byte[]> added = post(
                "/admin/accounts",
                "{\"kind\":\"anthropic-api\",\"name\":\"with-headers\",\"baseUrl\":\"" + gw.mock.baseUrl()
                        + "\",\"apiKey\":\"sk-ant-with-headers\",\"priority\":1,\"headers\":{\"X-Team\":\""
                        + value + "\"}}");
        assertThat(added.statusCode()).as(body(added)).isEqualTo(201);
        assertThat(JSON.readTree(added.body()).path("headers").path("X-Team").asText())
                .isEqualTo("set");

        gw.mock.reset();
        gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "headers"));
        assertThat(gw.mock.exchanges()).hasSize(1);
        assertThat(gw.mock.exchanges().get(0).header("x-team"))
                .as("sent on the account's upstream request")
                .isEqualTo(value);
        HttpResponse<byte[]> probe = post("/admin/accounts/with-headers/test", "{}");
        assertThat(JSON.readTree(probe.body()).path("ok").asBoolean())
                .as(body(probe))
                .isTrue();
        assertThat(gw.mock.exchanges().get(1).header("x-team"))
                .as("and on its connection test")
                .isEqualTo(value);

        JsonNode listed = null;
        for (JsonNode a : get("/admin/accounts").path("accounts")) {
            if (a.path("name").asText().equals("with-headers")) {
                listed = a;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.path("headers").toString()).isEqualTo("{\"X-Team\":\"set\"}");

        HttpResponse<byte[]> owned =
                post("/admin/accounts/with-headers/edit", "{\"headers\":{\"Authorization\":\"Bearer x\"}}");
        assertThat(owned.statusCode()).isEqualTo(400);
        assertThat(body(owned)).contains("Authorization").contains("the gateway sets it itself");
        HttpResponse<byte[]> edited = post(
                "/admin/accounts/with-headers/edit",
                "{\"priority\":3,\"group\":\"blue\",\"headers\":{\"X-Team\":null,\"X-Region\":\"eu\"}}");
        assertThat(edited.statusCode()).as(body(edited)).isEqualTo(200);
        JsonNode after = JSON.readTree(edited.body());
        assertThat(after.path("priority").asInt()).isEqualTo(3);
        assertThat(after.path("group").asText()).isEqualTo("blue");
        assertThat(after.path("headers").toString()).isEqualTo("{\"X-Region\":\"set\"}");
        assertThat(gw.store
                        .accounts()
                        .findByName("with-headers")
                        .toCompletableFuture()
                        .join()
                        .orElseThrow()
                        .headers())
                .containsExactly(java.util.Map.entry("X-Region", "eu"));
        assertThat(post("/admin/accounts/ghost/edit", "{\"priority\":1}").statusCode())
                .isEqualTo(404);
        assertThat(get("/admin/audit?limit=5").toString())
                .contains("accounts.edit")
                .doesNotContain(value);
    }

    @Test
    void aChatGptSignInIsStartedAndFinishedWithTheAddressTheBrowserEndedOn() throws Exception {
        JsonNode start = JSON.readTree(post("/admin/oauth/codex", "{}").body());
        String url = start.path("url").asText();
        assertThat(url)
                .startsWith("https://auth.openai.com/oauth/authorize?")
                .contains("redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback")
                .contains("code_challenge_method=S256");
        String challenge = url.replaceAll(".*[?&]code_challenge=([^&]+).*", "$1");
        assertThat(challenge)
                .isEqualTo(io.relaygate.bench.mock.MockOAuth.s256(
                        start.path("verifier").asText()));
        String code = gw.mock.oauth().authorizationCode(challenge);

        HttpResponse<byte[]> added = post(
                "/admin/accounts",
                "{\"kind\":\"codex-oauth\",\"name\":\"chatgpt\",\"baseUrl\":\"" + gw.mock.baseUrl()
                        + "/backend-api/codex\",\"tokenUrl\":\"" + gw.mock.baseUrl() + "/oauth/token\","
                        + "\"oauthCode\":\"http://localhost:1455/auth/callback?code=" + code
                        + "&scope=openid&state=s\","
                        + "\"oauthVerifier\":\"" + start.path("verifier").asText() + "\"}");
        assertThat(added.statusCode()).as(body(added)).isEqualTo(201);
        JsonNode view = JSON.readTree(added.body());
        assertThat(view.path("oauth").path("refreshable").asBoolean()).isTrue();
        assertThat(gw.mock.exchanges())
                .as("the code exchange is form-encoded, as Codex CLI sends it")
                .anySatisfy(e -> {
                    assertThat(e.uri()).endsWith("/oauth/token");
                    assertThat(e.header("content-type")).startsWith("application/x-www-form-urlencoded");
                });
        assertThat(body(added)).doesNotContain(code);
        HttpResponse<byte[]> probe = post("/admin/accounts/chatgpt/test", "{\"model\":\"gpt-5-codex\"}");
        assertThat(JSON.readTree(probe.body()).path("ok").asBoolean())
                .as("the signed-in account answers its connection test: " + body(probe))
                .isTrue();

        HttpResponse<byte[]> reused = post(
                "/admin/accounts",
                "{\"kind\":\"codex-oauth\",\"name\":\"chatgpt2\",\"baseUrl\":\"" + gw.mock.baseUrl()
                        + "/backend-api/codex\",\"tokenUrl\":\"" + gw.mock.baseUrl() + "/oauth/token\","
                        + "\"oauthCode\":\"" + code + "\",\"oauthVerifier\":\""
                        + start.path("verifier").asText()
                        + "\"}");
        assertThat(reused.statusCode()).as("a code works once").isEqualTo(400);
        assertThat(body(reused)).contains("refused the code");
    }

    @Test
    void theOverviewCountsRequestsOverTimeAndNamesTheTopKey() throws Exception {
        gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "one"));
        gw.post("/v1/messages", messages("claude-sonnet-4-5", true, "two"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode o = get("/admin/overview?range=day");
        while (o.path("totals").path("requests").asLong() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            o = get("/admin/overview?range=day");
        }
        assertThat(o.path("totals").path("requests").asLong()).isEqualTo(2);
        assertThat(o.path("series").size()).isEqualTo(24);
        assertThat(o.path("series").get(23).path("requests").asLong()).isEqualTo(2);
        assertThat(o.path("topModels").get(0).path("name").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(o.path("topAccounts").get(0).path("name").asText()).isEqualTo("mock-anthropic");
        assertThat(get("/admin/overview?range=week").path("series").size()).isEqualTo(7);
        HttpResponse<byte[]> bad = send("GET", "/admin/overview?range=year", null, List.of("cookie", cookie));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(body(bad)).contains("range: year (expected: hour, day or week)");
    }

    @Test
    void theKeyHolderSeesOnlyTheirOwnKeyAndNoAccountName() throws Exception {
        HttpResponse<byte[]> created = postAnsweringASecret(
                "/admin/keys", "{\"name\":\"bob\",\"rules\":{\"weeklyCostUsd\":2,\"account\":\"mock-anthropic\"}}");
        String secret = JSON.readTree(created.body()).path("secret").asText();
        SuiteSecretScan.secret(secret);
        gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "x"), "x-api-key", secret);

        HttpResponse<byte[]> r = send("GET", "/me/api", null, List.of("authorization", "Bearer " + secret));
        assertThat(r.statusCode()).as(body(r)).isEqualTo(200);
        JsonNode me = JSON.readTree(r.body());
        assertThat(me.path("key").path("name").asText()).isEqualTo("bob");
        assertThat(me.path("days").size()).isEqualTo(14);
        assertThat(me.path("limits").get(0).path("name").asText()).isEqualTo("cost per week");
        assertThat(body(r))
                .doesNotContain("mock-anthropic")
                .doesNotContain(secret)
                .doesNotContain("it-");

        HttpResponse<byte[]> wrong = send("GET", "/me/api", null, List.of("x-api-key", "rg_notarealkeyatall"));
        HttpResponse<byte[]> none = send("GET", "/me/api", null, List.of());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(body(wrong)).isEqualTo(body(none)).contains("gateway key missing or wrong");
        assertThat(send("GET", "/me/api", null, List.of("cookie", cookie)).statusCode())
                .as("a console session is no key")
                .isEqualTo(401);
    }

    @Test
    void theConsoleFilesCarryAStrictPolicyAnETagAndNoInlineCode() throws Exception {
        HttpResponse<byte[]> page = send("GET", "/ui/", null, List.of());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        String csp = page.headers().firstValue("content-security-policy").orElseThrow();
        assertThat(csp)
                .contains("script-src 'self'")
                .contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline");
        assertThat(body(page))
                .doesNotContainPattern("<script>|<script [^>]*>[^<]")
                .doesNotContain("style=")
                .doesNotContainPattern(" on[a-z]+=");
        String etag = page.headers().firstValue("etag").orElseThrow();
        assertThat(send("GET", "/ui/", null, List.of("if-none-match", etag)).statusCode())
                .isEqualTo(304);
        HttpResponse<byte[]> zipped = send("GET", "/ui/app.js", null, List.of("accept-encoding", "gzip"));
        assertThat(zipped.headers().firstValue("content-encoding")).contains("gzip");
        assertThat(zipped.headers().firstValue("content-type")).contains("text/javascript; charset=utf-8");
        assertThat(send("GET", "/ui/vendor/uPlot.iife.min.js", null, List.of()).statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/me", null, List.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/ui/../pom.xml", null, List.of()).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/ui/nothing.js", null, List.of()).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/ui", null, List.of()).headers().firstValue("location"))
                .contains("/ui/");
        JsonNode spec = JSON.readTree(
                send("GET", "/admin/openapi.json", null, List.of()).body());
        assertThat(spec.path("openapi").asText()).startsWith("3.");
        assertThat(spec.path("paths").has("/admin/accounts/{name}/test")).isTrue();
    }

    @Test
    void theAuditPageReadsTheChangesBack() throws Exception {
        post("/admin/keys", "{\"name\":\"audited\"}");
        JsonNode audit = get("/admin/audit?limit=50");
        assertThat(audit.path("changes").findValuesAsText("target")).contains("key:audited");
        assertThat(audit.toString()).doesNotContain("\"secret\"");
        assertThat(send("GET", "/admin/audit?limit=0", null, List.of("cookie", cookie))
                        .statusCode())
                .isEqualTo(400);
    }
}
