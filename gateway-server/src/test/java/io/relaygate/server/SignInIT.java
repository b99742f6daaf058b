package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.people.Person;
import io.relaygate.core.KeyRules;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.signin.PeopleAdmin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Claude Code's gateway sign-in over HTTP, against the real server and the mock upstream: the discovery document, the
 * device grant with its polling answers, approval with the operator's one-time link, a request under the person's
 * key, refresh (rotating both tokens), sign-out and revocation answered the way Claude Code expects.
 */
class SignInIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "admin-token-for-sign-in-0123456789";
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.builder()
                .config(c -> c.withScheduling(c.scheduling().withAdminToken(ADMIN_TOKEN)))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    private static PeopleAdmin admin() {
        return new PeopleAdmin(gw.store, Clock.systemUTC());
    }

    private static Person person(String name, KeyRules rules) {
        return admin().add(name, name + "@example.com", null, List.of("dev"), rules)
                .toCompletableFuture()
                .join();
    }

    private static String link(String name) {
        return DeviceSignIn.link(gw, name);
    }

    private static HttpResponse<byte[]> form(String path, String body) throws Exception {
        return DeviceSignIn.form(gw, path, body);
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static JsonNode startDevice() throws Exception {
        return DeviceSignIn.startDevice(gw);
    }

    private static HttpResponse<byte[]> poll(String deviceCode) throws Exception {
        return DeviceSignIn.poll(gw, deviceCode);
    }

    private static HttpResponse<byte[]> approve(String link, String userCode) throws Exception {
        return DeviceSignIn.approve(gw, link, userCode);
    }

    /** Signs {@code name} in as Claude Code would; returns the token answer. */
    private static JsonNode signIn(String name) throws Exception {
        return DeviceSignIn.signIn(gw, name);
    }

    private static HttpResponse<byte[]> ask(String accessToken) throws Exception {
        return gw.post(
                "/v1/messages",
                messages("claude-sonnet-4-5", false, "hello"),
                "authorization",
                "Bearer " + accessToken);
    }

    @Test
    void theDiscoveryDocumentNamesTheDeviceTokenAndRevocationEndpointsOnTheSameOrigin() throws Exception {
        HttpResponse<byte[]> r = gw.get("/.well-known/oauth-authorization-server", "authorization", "none");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = json(r);
        String origin = gw.baseUrl();
        assertThat(doc.path("device_authorization_endpoint").asText())
                .isEqualTo(origin + "/oauth/device_authorization");
        assertThat(doc.path("token_endpoint").asText()).isEqualTo(origin + "/oauth/token");
        assertThat(doc.path("revocation_endpoint").asText()).isEqualTo(origin + "/oauth/revoke");
        assertThat(doc.has("authorization_endpoint")).isFalse();
    }

    @Test
    void aDeviceCodeIsPendingThenSlowedDownThenApprovedWithTheLinkAndSpendsUnderThePersonsKey() throws Exception {
        Person alice = person("alice", KeyRules.NONE);
        JsonNode d = startDevice();
        assertThat(d.path("user_code").asText()).matches("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}");
        assertThat(d.path("verification_uri_complete").asText())
                .isEqualTo(gw.baseUrl() + "/device?user_code="
                        + d.path("user_code").asText());
        assertThat(d.path("interval").asInt()).isEqualTo(5);

        HttpResponse<byte[]> first = poll(d.path("device_code").asText());
        assertThat(first.statusCode()).isEqualTo(400);
        assertThat(json(first).path("error").asText()).isEqualTo("authorization_pending");
        assertThat(json(poll(d.path("device_code").asText())).path("error").asText())
                .as("polled again at once")
                .isEqualTo("slow_down");

        String link = link("alice");
        assertThat(json(approve(link, "BCDF-GHJK")).path("ok").asBoolean())
                .as("a wrong code approves nothing")
                .isFalse();
        HttpResponse<byte[]> ok = approve(link, d.path("user_code").asText());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(approve(link, d.path("user_code").asText())).path("ok").asBoolean())
                .as("the link works once")
                .isFalse();

        HttpResponse<byte[]> t = poll(d.path("device_code").asText());
        assertThat(t.statusCode()).isEqualTo(200);
        JsonNode tokens = json(t);
        SuiteSecretScan.secret(tokens.path("access_token").asText());
        SuiteSecretScan.secret(tokens.path("refresh_token").asText());
        assertThat(tokens.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(tokens.path("email").asText()).isEqualTo("alice@example.com");
        assertThat(tokens.path("expires_in").asLong()).isPositive();
        assertThat(json(poll(d.path("device_code").asText())).path("error").asText())
                .as("a device code is exchanged once")
                .isEqualTo("expired_token");

        HttpResponse<byte[]> r = ask(tokens.path("access_token").asText());
        assertThat(r.statusCode()).isEqualTo(200);
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.keyId()).isEqualTo(alice.keyId());
        assertThat(o.keyName()).isEqualTo("person.alice");
        assertThat(o.usage().inputTokens()).isPositive();
    }

    @Test
    void aSignedInTokenIsHeldToThePersonsRules() throws Exception {
        person("bob", KeyRules.NONE.withModels(List.of("claude-haiku-4-5"), List.of()));
        JsonNode tokens = signIn("bob");
        HttpResponse<byte[]> r = ask(tokens.path("access_token").asText());
        // 400 invalid_request_error, as the protocol asks and Anthropic's own gateway answers
        // (GatewayProtocolContractIT)
        assertThat(r.statusCode()).as("sonnet is not among bob's models").isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("claude-sonnet-4-5");
    }

    @Test
    void modelDiscoveryListsExactlyThePersonsModelsWithDisplayNames() throws Exception {
        person(
                "frank",
                KeyRules.NONE.withModels(List.of("claude-sonnet-*", "claude-custom-1"), List.of("claude-sonnet-4-5")));
        JsonNode tokens = signIn("frank");
        int upstreamCalls = gw.mock.exchanges().size();
        HttpResponse<byte[]> r = gw.get(
                "/v1/models",
                "authorization",
                "Bearer " + tokens.path("access_token").asText(),
                "anthropic-version",
                "2023-06-01");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = json(r);
        List<String> ids = new java.util.ArrayList<>();
        list.path("data").forEach(m -> ids.add(m.path("id").asText()));
        io.relaygate.core.catalogue.Catalogue catalogue = io.relaygate.core.catalogue.Catalogue.shipped();
        List<String> expected = new java.util.ArrayList<>(catalogue.entries().stream()
                .map(e -> e.name())
                .filter(n -> n.startsWith("claude-sonnet-") && !n.equals("claude-sonnet-4-5"))
                .toList());
        expected.add("claude-custom-1");
        assertThat(ids)
                .as("the allowed patterns over the catalogue, less the denied model")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(ids).doesNotContain("claude-sonnet-4-5");
        for (JsonNode m : list.path("data")) {
            assertThat(m.path("type").asText()).isEqualTo("model");
            if (m.path("id").asText().equals("claude-sonnet-5-5")) {
                assertThat(m.path("display_name").asText()).isEqualTo("Claude Sonnet 5.5");
            }
        }
        assertThat(ids).contains("claude-sonnet-5-5");
        assertThat(list.path("has_more").asBoolean()).isFalse();
        assertThat(gw.mock.exchanges()).as("answered by the gateway").hasSize(upstreamCalls);
    }

    @Test
    void aPersonsKeySecretForClientsWithoutSignInSpendsAsThePerson() throws Exception {
        Person gina = person("gina", KeyRules.NONE);
        String secret = admin().keySecret("gina").toCompletableFuture().join();
        SuiteSecretScan.secret(secret);
        HttpResponse<byte[]> r = gw.post(
                "/openai/v1/responses",
                "{\"model\":\"claude-sonnet-4-5\",\"input\":\"hi\",\"stream\":false}",
                "authorization",
                "Bearer " + secret);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(gw.outcomeOf(r).keyId()).isEqualTo(gina.keyId());
        String again = admin().keySecret("gina").toCompletableFuture().join();
        SuiteSecretScan.secret(again);
        assertThat(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", secret)
                        .statusCode())
                .as("a new secret replaces the last one")
                .isEqualTo(401);
    }

    @Test
    void managedSettingsGoToEachPersonByGroupWithTheProtocolsChecksum() throws Exception {
        person("hana", KeyRules.NONE);
        JsonNode tokens = signIn("hana");
        String bearer = "Bearer " + tokens.path("access_token").asText();
        gw.store
                .documents()
                .remove(io.relaygate.accounts.Documents.MANAGED_SETTINGS)
                .toCompletableFuture()
                .join();
        assertThat(gw.get("/managed/settings", "authorization", bearer).statusCode())
                .as("no managed policy")
                .isEqualTo(404);

        String dev = "{\"model\":\"claude-sonnet-5-5\",\"env\":{\"CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY\":\"1\"}}";
        gw.store
                .documents()
                .put(
                        io.relaygate.accounts.Documents.MANAGED_SETTINGS,
                        "{\"groups\":{\"ops\":{\"model\":\"claude-opus-5-5\"},\"dev\":" + dev + "}}")
                .toCompletableFuture()
                .join();
        HttpResponse<byte[]> r = gw.get("/managed/settings", "authorization", bearer);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = json(r);
        assertThat(answer.path("settings")).isEqualTo(JSON.readTree(dev));
        // what Claude Code computes: sha256 over the settings with sorted keys and no whitespace
        String canonical =
                "{\"env\":{\"CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY\":\"1\"},\"model\":\"claude-sonnet-5-5\"}";
        String expected = "sha256:"
                + java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        assertThat(answer.path("checksum").asText()).isEqualTo(expected);
        assertThat(answer.path("uuid").asText()).isNotEmpty();
        assertThat(r.headers().firstValue("etag")).contains("\"" + expected + "\"");

        HttpResponse<byte[]> same =
                gw.get("/managed/settings", "authorization", bearer, "if-none-match", "\"" + expected + "\"");
        assertThat(same.statusCode()).isEqualTo(304);
        HttpResponse<byte[]> anonymous = gw.get("/managed/settings", "authorization", "Bearer rga_nothing");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("x-should-retry")).contains("false");
    }

    @Test
    void theAdminApiAddsPeopleMakesLinksListsAndRevokesSessions() throws Exception {
        String admin = "Bearer " + ADMIN_TOKEN;
        HttpResponse<byte[]> added = gw.post(
                "/admin/people",
                "{\"name\":\"ivan\",\"email\":\"ivan@example.com\",\"groups\":[\"ops\"],"
                        + "\"rules\":{\"concurrency\":2}}",
                "authorization",
                admin);
        assertThat(added.statusCode())
                .as(new String(added.body(), StandardCharsets.UTF_8))
                .isEqualTo(201);
        assertThat(json(added).path("key").asText()).isEqualTo("person.ivan");
        assertThat(json(gw.get("/admin/people", "authorization", admin))
                        .path("people")
                        .toString())
                .contains("ivan@example.com");

        HttpResponse<byte[]> linked =
                gw.post("/admin/people/ivan/link", "{\"url\":\"" + gw.baseUrl() + "\"}", "authorization", admin);
        assertThat(linked.statusCode()).isEqualTo(200);
        String link = json(linked).path("link").asText();
        assertThat(link).startsWith(gw.baseUrl() + "/device#link=rgl_");

        JsonNode d = startDevice();
        assertThat(approve(link, d.path("user_code").asText()).statusCode()).isEqualTo(200);
        JsonNode tokens = json(poll(d.path("device_code").asText()));
        SuiteSecretScan.secret(tokens.path("access_token").asText());
        SuiteSecretScan.secret(tokens.path("refresh_token").asText());
        JsonNode sessions = json(gw.get("/admin/sessions?person=ivan", "authorization", admin));
        assertThat(sessions.path("sessions")).hasSize(1);
        JsonNode session = sessions.path("sessions").get(0);
        assertThat(session.path("client").asText()).startsWith("claude-code/2.1.330");
        assertThat(session.toString())
                .as("no token or hash in the listing")
                .doesNotContain(tokens.path("access_token").asText())
                .doesNotContain("p1:");
        HttpResponse<byte[]> revoked =
                gw.post("/admin/sessions/" + session.path("id").asText() + "/revoke", "{}", "authorization", admin);
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(ask(tokens.path("access_token").asText()).statusCode()).isEqualTo(401);
        assertThat(gw.get(
                                "/admin/people",
                                "authorization",
                                "Bearer " + tokens.path("access_token").asText())
                        .statusCode())
                .as("a signed-in token opens no admin route")
                .isEqualTo(401);
    }

    @Test
    void aRefreshRotatesBothTokensAndTheOldRefreshTokenIsRefusedAsInvalidGrant() throws Exception {
        person("carol", KeyRules.NONE);
        JsonNode first = signIn("carol");
        HttpResponse<byte[]> refreshed = form(
                "/oauth/token",
                "grant_type=refresh_token&refresh_token="
                        + first.path("refresh_token").asText());
        assertThat(refreshed.statusCode()).isEqualTo(200);
        JsonNode second = json(refreshed);
        SuiteSecretScan.secret(second.path("access_token").asText());
        SuiteSecretScan.secret(second.path("refresh_token").asText());
        assertThat(second.path("access_token").asText())
                .isNotEqualTo(first.path("access_token").asText());
        assertThat(ask(second.path("access_token").asText()).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> replay = form(
                "/oauth/token",
                "grant_type=refresh_token&refresh_token="
                        + first.path("refresh_token").asText());
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(json(replay).path("error").asText()).isEqualTo("invalid_grant");

        HttpResponse<byte[]> old = ask(first.path("access_token").asText());
        assertThat(old.statusCode()).isEqualTo(401);
        assertThat(old.headers().firstValue("x-should-retry")).contains("false");
    }

    @Test
    void aRevokedSessionIsRefusedWithoutRetryAndSignOutEndsTheOther() throws Exception {
        Person dave = person("dave", KeyRules.NONE);
        JsonNode one = signIn("dave");
        JsonNode two = signIn("dave");
        List<io.relaygate.accounts.people.SignInSession> sessions =
                admin().sessions("dave").toCompletableFuture().join();
        assertThat(sessions).hasSize(2).allMatch(s -> s.personId().equals(dave.id()));

        String revokedId = one.path("access_token").asText().substring(4, 20);
        assertThat(admin().revoke(revokedId).toCompletableFuture().join()).isTrue();
        HttpResponse<byte[]> refused = ask(one.path("access_token").asText());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("x-should-retry")).contains("false");
        JsonNode error = json(refused);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("error").path("type").asText()).isEqualTo("authentication_error");
        assertThat(error.path("error").path("message").asText()).contains("/login");

        assertThat(ask(two.path("access_token").asText()).statusCode()).isEqualTo(200);
        assertThat(form("/oauth/revoke", "token=" + two.path("access_token").asText())
                        .statusCode())
                .isEqualTo(200);
        assertThat(ask(two.path("access_token").asText()).statusCode()).isEqualTo(401);
        assertThat(form("/oauth/revoke", "token=rga_unknown").statusCode())
                .as("RFC 7009: an unknown token is not an error")
                .isEqualTo(200);
    }

    @Test
    void aDisabledPersonCannotApproveAndTheirSessionsEnd() throws Exception {
        person("erin", KeyRules.NONE);
        JsonNode tokens = signIn("erin");
        String spare = link("erin");
        admin().disable("erin").toCompletableFuture().join();
        assertThat(ask(tokens.path("access_token").asText()).statusCode()).isEqualTo(401);
        JsonNode d = startDevice();
        HttpResponse<byte[]> r = approve(spare, d.path("user_code").asText());
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void theApprovalPageIsStaticWithAStrictPolicyAndNoInlineScript() throws Exception {
        HttpResponse<byte[]> page = gw.get("/device?user_code=BCDF-GHJK", "authorization", "none");
        assertThat(page.statusCode()).isEqualTo(200);
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertThat(html).contains("<script src=\"/device/device.js\" defer></script>");
        assertThat(html.replace("<script src=\"/device/device.js\" defer></script>", ""))
                .doesNotContain("<script")
                .doesNotContain("onclick")
                .doesNotContain("style=");
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                .contains("script-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(gw.get("/device/device.js", "authorization", "none").statusCode())
                .isEqualTo(200);
        HttpResponse<byte[]> cross =
                gw.post("/device/approve", "{}", "authorization", "none", "origin", "https://evil.example");
        assertThat(cross.statusCode())
                .as("approvals from another site are refused")
                .isEqualTo(403);
    }

    @Test
    void unknownGrantsAndMissingCodesAreOAuthErrors() throws Exception {
        HttpResponse<byte[]> r = form("/oauth/token", "grant_type=password&username=x");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).isEqualTo("unsupported_grant_type");
        HttpResponse<byte[]> missing =
                form("/oauth/token", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code");
        assertThat(json(missing).path("error").asText()).isEqualTo("invalid_request");
        assertThat(json(poll("nonsense")).path("error").asText()).isEqualTo("expired_token");
    }
}
