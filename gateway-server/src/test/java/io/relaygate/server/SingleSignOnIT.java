package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.people.Person;
import io.relaygate.bench.idp.MockIdentityProvider;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import io.relaygate.server.signin.PeopleAdmin;
import io.relaygate.server.signin.SsoSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Single sign-on on the device approval page, against the real server and the mock OpenID Connect provider, driven
 * over plain HTTP as a browser would follow it: the page's "Sign in with …" redirect (state cookie, PKCE, nonce), the
 * provider's test login, the callback that verifies the RS256 ID token against the provider's JWKS, provisions the
 * person from the token's subject, e-mail and groups, and approves the device code; then Claude Code's poll gets its
 * tokens and the person's key carries the rules of their group's template key.
 */
class SingleSignOnIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT_ID = "relaygate-it";
    private static final String CLIENT_SECRET = "idp-client-secret-for-sso-it-0123";
    private static MockIdentityProvider idp;
    private static GatewayHarness gw;
    private static final HttpClient browser =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        SuiteSecretScan.secret(CLIENT_SECRET);
        idp = MockIdentityProvider.start(CLIENT_ID, CLIENT_SECRET)
                .user("alice", "alice@example.com", List.of("eng"))
                .user("bob", "bob@example.com", List.of("sales"))
                .user("carol", "carol@example.com", List.of("eng", "ops"))
                .user("dave", "dave@example.com", List.of("ops"))
                .user("erin", "erin@example.com", List.of("eng"));
        gw = GatewayHarness.builder()
                .sso(new SsoSettings(
                        idp.issuer(),
                        CLIENT_ID,
                        CLIENT_SECRET,
                        "Mock IdP",
                        "groups",
                        List.of("eng", "ops"),
                        Map.of("eng", "template.eng"),
                        SsoSettings.DEFAULT_SCOPES,
                        null))
                .start();
        new ApiKeyService(gw.store.keys())
                .create("template.eng", KeyRules.NONE.withModels(List.of("claude-sonnet-4-5"), List.of()))
                .toCompletableFuture()
                .join();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
        idp.close();
    }

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(GatewayHarness.WAIT);
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> answer = browser.send(r.build(), HttpResponse.BodyHandlers.ofString());
        SuiteSecretScan.response(answer.statusCode() + " " + answer.headers().map() + " " + answer.body());
        return answer;
    }

    private static JsonNode startDevice() throws Exception {
        HttpResponse<String> r = browser.send(
                HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/oauth/device_authorization"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("surface=claude_code"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode d = JSON.readTree(r.body());
        SuiteSecretScan.secret(d.path("device_code").asText());
        return d;
    }

    private static HttpResponse<String> poll(String deviceCode) throws Exception {
        return browser.send(
                HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/oauth/token"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code="
                                        + deviceCode))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The browser's trip: approval page → provider (test login as {@code user}) → callback; the final page. */
    private static HttpResponse<String> signInThroughProvider(String userCode, String user) throws Exception {
        HttpResponse<String> toProvider = get(gw.baseUrl() + "/device/sso?user_code=" + userCode);
        assertThat(toProvider.statusCode()).isEqualTo(302);
        String location = toProvider.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith(idp.issuer() + "/authorize?");
        assertThat(location)
                .contains("code_challenge_method=S256")
                .contains("response_type=code")
                .contains("client_id=" + CLIENT_ID)
                .doesNotContain(CLIENT_SECRET);
        String cookie = toProvider.headers().firstValue("set-cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Lax");
        String stateCookie = cookie.substring(0, cookie.indexOf(';'));
        String query = URI.create(location).getRawQuery();
        HttpResponse<String> back = get(idp.issuer() + "/authorize/login?user=" + user + "&" + query);
        assertThat(back.statusCode()).isEqualTo(302);
        String callback = back.headers().firstValue("location").orElseThrow();
        assertThat(callback).startsWith(gw.baseUrl() + "/device/sso/callback?code=");
        return get(callback, "cookie", stateCookie, "user-agent", "Mozilla/5.0 (it)");
    }

    private static Optional<Person> person(String name) {
        return gw.store.people().findByName(name).toCompletableFuture().join();
    }

    @Test
    void theApprovalPageOffersTheProviderByName() throws Exception {
        HttpResponse<String> info = get(gw.baseUrl() + "/device/sso.json");
        assertThat(info.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(info.body());
        assertThat(body.path("enabled").asBoolean()).isTrue();
        assertThat(body.path("name").asText()).isEqualTo("Mock IdP");
    }

    @Test
    void aPersonInAnAllowedGroupIsProvisionedApprovedAndSpendsUnderTheirGroupsRules() throws Exception {
        JsonNode d = startDevice();
        HttpResponse<String> page = signInThroughProvider(d.path("user_code").asText(), "alice");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("Signed in as alice@example.com");
        assertThat(page.headers().firstValue("content-security-policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));

        Person alice = person("alice@example.com").orElseThrow();
        assertThat(alice.subject()).isEqualTo("sub-alice");
        assertThat(alice.groups()).containsExactly("eng");
        ApiKey key = gw.store
                .keys()
                .findById(alice.keyId())
                .toCompletableFuture()
                .join()
                .orElseThrow();
        assertThat(key.rules().allowedModels()).containsExactly("claude-sonnet-4-5");

        HttpResponse<String> tokens = poll(d.path("device_code").asText());
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        String access = JSON.readTree(tokens.body()).path("access_token").asText();
        SuiteSecretScan.secret(access);
        SuiteSecretScan.secret(
                JSON.readTree(tokens.body()).path("refresh_token").asText());
        HttpResponse<byte[]> allowed = gw.post(
                "/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "authorization", "Bearer " + access);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(gw.outcomeOf(allowed).keyId()).isEqualTo(alice.keyId());
        HttpResponse<byte[]> denied =
                gw.post("/v1/messages", messages("claude-opus-4-1", false, "hi"), "authorization", "Bearer " + access);
        assertThat(denied.statusCode()).as("a model outside the group's list").isEqualTo(400);
        assertThat(new String(denied.body(), StandardCharsets.UTF_8)).contains("claude-opus-4-1");

        // a second sign-in finds the same person by subject: no second person, no second key
        JsonNode again = startDevice();
        assertThat(signInThroughProvider(again.path("user_code").asText(), "alice")
                        .statusCode())
                .isEqualTo(200);
        assertThat(gw.store.people().list().toCompletableFuture().join().stream()
                        .filter(p -> "sub-alice".equals(p.subject())))
                .hasSize(1);
    }

    @Test
    void inAHeadlessBrowserThePagesButtonLeadsThroughTheProvidersLoginToAnApprovedCode() throws Exception {
        JsonNode d = startDevice();
        try (HeadlessChromium chromium = new HeadlessChromium()) {
            chromium.browser.get(
                    gw.baseUrl() + "/device?user_code=" + d.path("user_code").asText());
            org.openqa.selenium.WebElement button = chromium.await(org.openqa.selenium.By.id("sso-button"));
            assertThat(button.getText()).isEqualTo("Sign in with Mock IdP");
            button.click();
            chromium.await(org.openqa.selenium.By.id("user")).sendKeys("erin");
            chromium.browser.findElement(org.openqa.selenium.By.id("sign-in")).click();
            new org.openqa.selenium.support.ui.WebDriverWait(chromium.browser, HeadlessChromium.WAIT)
                    .until(org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated(
                            org.openqa.selenium.By.id("result"), "Signed in as erin@example.com"));
            assertThat(chromium.browser.getCurrentUrl()).startsWith(gw.baseUrl() + "/device/sso/callback");
        }
        HttpResponse<String> tokens = poll(d.path("device_code").asText());
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        SuiteSecretScan.secret(JSON.readTree(tokens.body()).path("access_token").asText());
        SuiteSecretScan.secret(
                JSON.readTree(tokens.body()).path("refresh_token").asText());
        assertThat(person("erin@example.com").orElseThrow().subject()).isEqualTo("sub-erin");
    }

    @Test
    void aPersonOutsideTheAllowedGroupsIsRefusedWithAClearPageAndNotAdded() throws Exception {
        JsonNode d = startDevice();
        HttpResponse<String> page = signInThroughProvider(d.path("user_code").asText(), "bob");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.body()).contains("not in a group allowed to use this gateway");
        assertThat(person("bob@example.com")).isEmpty();
        HttpResponse<String> pending = poll(d.path("device_code").asText());
        assertThat(pending.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(pending.body()).path("error").asText()).isEqualTo("authorization_pending");
    }

    @Test
    void aPersonOfAnUnmappedAllowedGroupGetsNoRules() throws Exception {
        JsonNode d = startDevice();
        assertThat(signInThroughProvider(d.path("user_code").asText(), "dave").statusCode())
                .isEqualTo(200);
        Person dave = person("dave@example.com").orElseThrow();
        ApiKey key = gw.store
                .keys()
                .findById(dave.keyId())
                .toCompletableFuture()
                .join()
                .orElseThrow();
        assertThat(key.rules()).isEqualTo(KeyRules.NONE);
    }

    @Test
    void aDisabledPersonIsRefusedWhateverTheProviderSays() throws Exception {
        JsonNode first = startDevice();
        assertThat(signInThroughProvider(first.path("user_code").asText(), "carol")
                        .statusCode())
                .isEqualTo(200);
        new PeopleAdmin(gw.store, Clock.systemUTC())
                .disable("carol@example.com")
                .toCompletableFuture()
                .join();
        JsonNode second = startDevice();
        HttpResponse<String> page =
                signInThroughProvider(second.path("user_code").asText(), "carol");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.body()).contains("disabled");
        assertThat(poll(second.path("device_code").asText()).body()).contains("authorization_pending");
    }

    @Test
    void aCallbackWithoutTheBrowsersStateCookieIsRefused() throws Exception {
        JsonNode d = startDevice();
        HttpResponse<String> toProvider = get(
                gw.baseUrl() + "/device/sso?user_code=" + d.path("user_code").asText());
        String query = URI.create(toProvider.headers().firstValue("location").orElseThrow())
                .getRawQuery();
        HttpResponse<String> back = get(idp.issuer() + "/authorize/login?user=alice&" + query);
        int issued = idp.tokensIssued();
        HttpResponse<String> page = get(back.headers().firstValue("location").orElseThrow());
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("not started in this browser");
        assertThat(idp.tokensIssued()).isEqualTo(issued);
        assertThat(poll(d.path("device_code").asText()).body()).contains("authorization_pending");
    }

    @Test
    void anIdTokenNotSignedByTheProvidersPublishedKeyIsRefused() throws Exception {
        idp.user("mallory", "mallory@example.com", List.of("eng")).forgeSignatures(true);
        try {
            JsonNode d = startDevice();
            HttpResponse<String> page =
                    signInThroughProvider(d.path("user_code").asText(), "mallory");
            assertThat(page.statusCode()).isEqualTo(502);
            assertThat(page.body()).contains("could not be verified");
            assertThat(person("mallory@example.com")).isEmpty();
            assertThat(poll(d.path("device_code").asText()).body()).contains("authorization_pending");
        } finally {
            idp.forgeSignatures(false);
        }
    }

    @Test
    void aProviderErrorIsShownAndApprovesNothing() throws Exception {
        HttpResponse<String> page = get(gw.baseUrl() + "/device/sso/callback?error=access_denied&state=x");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.body()).contains("access_denied");
    }
}
