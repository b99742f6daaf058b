package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.Documents;
import io.relaygate.core.KeyRules;
import io.relaygate.server.signin.PeopleAdmin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the requests captured against Anthropic's own gateway ({@code claude gateway} of Claude Code 2.1.330,
 * {@code testdata/clients/gateway}) on Relaygate and holds Relaygate to the same contract: the status, the media type,
 * the JSON field names and types the real gateway answered with, the error type, and the headers Claude Code acts on
 * ({@code ETag} with the same checksum, {@code cache-control: no-store}, {@code x-should-retry}). Relaygate may add
 * fields; it may not drop or retype one.
 *
 * <p>The people are the capture's: alice in group {@code dev} with the capture's managed settings, bob in group
 * {@code interns} who may use only Claude Haiku 4.5. A captured bearer is replaced by the Relaygate token of the person
 * its claims name; an expired one by a token of an ended session.
 */
class GatewayProtocolContractIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "claude-gateway-2.1.330_";

    /**
     * Captures Relaygate answers differently on purpose, with the reason (docs/clients.md, "The gateway protocol, item
     * by item"). The real gateway's tokens are stateless JWTs good until their {@code exp}: it has no revocation
     * endpoint, and it issues a refresh token only when the identity provider gave it one (the mock provider gives none,
     * so its refresh grants fail with invalid_request). Relaygate keeps sessions, so it rotates, refreshes and revokes
     * them (SignInIT).
     */
    private static final Map<String, String> DIFFERENT_BY_DESIGN = Map.of(
            "revoke",
            "Relaygate serves /oauth/revoke (200); the real gateway has none (401, no route)",
            "revoke_access",
            "as revoke",
            "messages_after_revoke",
            "a revoked Relaygate session is refused (401); the real gateway cannot revoke",
            "messages_old_access_after_refresh",
            "the capture's refresh failed (no refresh token), so nothing was replaced; SignInIT covers Relaygate's",
            "token_refresh_grant",
            "Relaygate issues and honours refresh tokens; the capture's provider gave none",
            "token_refresh_grant_reused",
            "as token_refresh_grant",
            "token_refresh_after_revoke",
            "as token_refresh_grant",
            "token_refresh_after_expiry",
            "as token_refresh_grant",
            "discovery_openid",
            "an unserved path: the real gateway asks for a token first (401); Relaygate answers 404 not_found_error");

    private static GatewayHarness gw;
    private static final Map<String, String> tokens = new java.util.HashMap<>();
    private static String ended;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        PeopleAdmin admin = new PeopleAdmin(gw.store, Clock.systemUTC());
        admin.add("alice", "alice@example.com", null, List.of("dev"), KeyRules.NONE)
                .toCompletableFuture()
                .join();
        admin.add("bob", "bob@example.com", null, List.of("interns"), onlyHaiku())
                .toCompletableFuture()
                .join();
        JsonNode settings = body(capture("managed_settings")).path("settings");
        gw.store
                .documents()
                .put(Documents.MANAGED_SETTINGS, "{\"groups\":{\"dev\":" + settings + "}}")
                .toCompletableFuture()
                .join();
        for (String name : List.of("alice", "bob")) {
            tokens.put(name, DeviceSignIn.signIn(gw, name).path("access_token").asText());
        }
        // carol's session ends: her token stands in for the capture's expired one (both are refused the same way)
        admin.add("carol", "carol@example.com", null, List.of("dev"), KeyRules.NONE)
                .toCompletableFuture()
                .join();
        ended = DeviceSignIn.signIn(gw, "carol").path("access_token").asText();
        for (var session : admin.sessions("carol").toCompletableFuture().join()) {
            assertThat(admin.revoke(session.id()).toCompletableFuture().join()).isTrue();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    private static KeyRules onlyHaiku() {
        return KeyRules.NONE.withModels(List.of("claude-haiku-4-5"), List.of());
    }

    private static Path capture(String name) {
        return Fixtures.clientsDir().resolve("gateway").resolve(PREFIX + name + ".json");
    }

    private static JsonNode body(Path capture) throws Exception {
        return JSON.readTree(capture.toFile()).path("response").path("body_json");
    }

    @TestFactory
    Stream<DynamicTest> relaygateAnswersEveryCapturedRequestWithTheRealGatewaysContract() throws Exception {
        List<Path> captures;
        try (Stream<Path> s = Files.list(Fixtures.clientsDir().resolve("gateway"))) {
            captures = s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                            && p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList();
        }
        assertThat(captures).as("the captures are there").hasSizeGreaterThan(30);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : captures) {
            String name = p.getFileName().toString();
            name = name.substring(PREFIX.length(), name.length() - ".json".length());
            if (DIFFERENT_BY_DESIGN.containsKey(name)) {
                continue;
            }
            String scenario = name;
            tests.add(DynamicTest.dynamicTest(scenario, () -> replay(scenario, JSON.readTree(p.toFile()))));
        }
        return tests.stream();
    }

    private void replay(String scenario, JsonNode capture) throws Exception {
        JsonNode req = capture.path("request");
        JsonNode real = capture.path("response");
        HttpResponse<byte[]> ours = send(scenario, req);
        String what = scenario + ": " + new String(ours.body(), StandardCharsets.UTF_8);
        assertThat(ours.statusCode()).as(what).isEqualTo(real.path("status").asInt());
        Map<String, String> realHeaders = headers(real.path("headers"));
        String realType = realHeaders.get("content-type");
        if (realType != null && realType.startsWith("application/json")) {
            assertThat(ours.headers().firstValue("content-type").orElse(""))
                    .as(what)
                    .startsWith("application/json");
        }
        if (realHeaders.containsKey("etag")) {
            assertThat(ours.headers().firstValue("etag")).as(what).contains(realHeaders.get("etag"));
        }
        if ("no-store".equals(realHeaders.get("cache-control"))) {
            assertThat(ours.headers().firstValue("cache-control")).as(what).contains("no-store");
        }
        if (realHeaders.containsKey("x-should-retry")) {
            assertThat(ours.headers().firstValue("x-should-retry"))
                    .as(what)
                    .contains(realHeaders.get("x-should-retry"));
        }
        if (real.path("status").asInt() == 304) {
            assertThat(ours.body()).as(what).isEmpty();
        }
        if (real.has("body_json")) {
            JsonNode mine = JSON.readTree(ours.body());
            sameShape(scenario, "", real.path("body_json"), mine);
            if (real.path("body_json").path("error").isObject()) {
                assertThat(mine.path("error").path("type").asText())
                        .as(what)
                        .isEqualTo(real.path("body_json")
                                .path("error")
                                .path("type")
                                .asText());
            } else if (real.path("body_json").path("error").isTextual()) {
                assertThat(mine.path("error").asText())
                        .as(what)
                        .isEqualTo(real.path("body_json").path("error").asText());
            }
        }
    }

    /** Every field of {@code real} is in {@code mine} with the same JSON type (arrays: element by element shape). */
    private static void sameShape(String scenario, String path, JsonNode real, JsonNode mine) {
        if (real.isNull()) {
            return; // the real gateway's null (first_id of an unpaged list) may be a value here
        }
        assertThat(mine.getNodeType())
                .as(
                        "%s: %s is a %s in the real gateway's answer",
                        scenario, path.isEmpty() ? "the body" : path, real.getNodeType())
                .isEqualTo(real.getNodeType());
        if (real.isObject()) {
            for (Iterator<String> it = real.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (optional(path, f, real)) {
                    continue;
                }
                assertThat(mine.has(f)).as("%s: %s has %s", scenario, path, f).isTrue();
                sameShape(scenario, path + "." + f, real.get(f), mine.get(f));
            }
        } else if (real.isArray() && !real.isEmpty()) {
            for (JsonNode element : mine) {
                sameShape(scenario, path + "[]", real.get(0), element);
            }
        }
    }

    /** Fields the real gateway sends for some entries only, or that only its upstream knows. */
    private static boolean optional(String path, String field, JsonNode real) {
        return (path.equals(".data[]") && field.equals("max_input_tokens"))
                || (path.isEmpty() && field.equals("request_id") && real.has("error"));
    }

    private HttpResponse<byte[]> send(String scenario, JsonNode req) throws Exception {
        String body = req.path("body").isTextual() ? req.path("body").asText() : null;
        HttpRequest.Builder r = HttpRequest.newBuilder(
                        URI.create(gw.baseUrl() + req.path("target").asText()))
                .timeout(GatewayHarness.WAIT);
        for (Map.Entry<String, String> h : headers(req.path("headers")).entrySet()) {
            String value = h.getKey().equals("authorization") ? bearer(scenario, h.getValue()) : h.getValue();
            r.header(h.getKey(), value);
        }
        if (body != null && body.contains("device_code=")) {
            body = withDeviceCode(scenario, body);
        }
        r.method(
                req.path("method").asText(),
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> answer = gw.http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
        return answer.statusCode() == 200 && scenario.contains("token_device_grant")
                ? answer
                : GatewayHarness.recorded(answer);
    }

    /** The Relaygate bearer for a captured one: the token of the person its claims name, or of an ended session. */
    private static String bearer(String scenario, String captured) {
        String token = captured.substring("Bearer ".length());
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return captured; // an unknown token stays as it was
        }
        if (scenario.contains("expired")) {
            return "Bearer " + ended;
        }
        JsonNode claims;
        try {
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        String email = claims.path("email").asText();
        return "Bearer " + tokens.get(email.substring(0, email.indexOf('@')));
    }

    /** The captured device code replaced by one of Relaygate's in the same state (pending, approved or unknown). */
    private static String withDeviceCode(String scenario, String body) throws Exception {
        String captured = body.replaceAll(".*device_code=([^&]*).*", "$1");
        if (scenario.contains("unknown_code")) {
            return body;
        }
        JsonNode d = DeviceSignIn.startDevice(gw);
        if (scenario.contains("grant")) {
            String person = scenario.startsWith("bob_") ? "bob" : "alice";
            assertThat(DeviceSignIn.approve(
                                    gw,
                                    DeviceSignIn.link(gw, person),
                                    d.path("user_code").asText())
                            .statusCode())
                    .isEqualTo(200);
        }
        return body.replace(
                "device_code=" + captured,
                "device_code=" + d.path("device_code").asText());
    }

    private static Map<String, String> headers(JsonNode headers) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (headers.isArray()) {
            headers.forEach(h -> out.put(
                    h.get(0).asText().toLowerCase(java.util.Locale.ROOT),
                    h.get(1).asText()));
        } else {
            headers.fields()
                    .forEachRemaining(e -> out.put(
                            e.getKey().toLowerCase(java.util.Locale.ROOT),
                            e.getValue().asText()));
        }
        out.remove("host");
        out.remove("content-length");
        out.remove("connection");
        return out;
    }
}
