package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's OAuth token endpoints (Claude and OpenAI styles) and its bearer check on the model endpoints. */
class MockOAuthTest {

    private static final String CLAUDE_CLIENT = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
    private static final String CODEX_CLIENT = "app_EMoamEEZ73f0CkXaXp7hrann";
    private static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String RESPONSES = "{\"model\":\"gpt-5\",\"input\":\"hi\"}";
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static MockUpstream mock;
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        mock = MockUpstream.start(MockOptions.defaults());
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    @BeforeEach
    void reset() {
        mock.reset();
        mock.oauth().reset();
    }

    private HttpRequest.Builder request(String path, String contentType, String body) {
        return HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
                .header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest.Builder r) throws Exception {
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> claudeToken(String body) throws Exception {
        return send(request("/v1/oauth/token", "application/json", body));
    }

    private HttpResponse<String> claudeRefresh(String refreshToken) throws Exception {
        return claudeToken("{\"grant_type\":\"refresh_token\",\"refresh_token\":\"" + refreshToken
                + "\",\"client_id\":\"" + CLAUDE_CLIENT + "\"}");
    }

    private HttpResponse<String> openAiRefreshForm(String refreshToken) throws Exception {
        return send(request(
                "/oauth/token",
                "application/x-www-form-urlencoded",
                "grant_type=refresh_token&client_id=" + CODEX_CLIENT + "&refresh_token=" + refreshToken
                        + "&scope=openid+profile+email"));
    }

    private HttpResponse<String> messages(String bearer, String beta) throws Exception {
        HttpRequest.Builder r = request("/v1/messages", "application/json", MESSAGE)
                .header("authorization", "Bearer " + bearer)
                .header("anthropic-version", "2023-06-01");
        if (!beta.isEmpty()) {
            r.header("anthropic-beta", beta);
        }
        return send(r);
    }

    private HttpResponse<String> openAi(String path, String body, String bearer) throws Exception {
        return send(request(path, "application/json", body).header("authorization", "Bearer " + bearer));
    }

    private JsonNode read(HttpResponse<String> r) throws Exception {
        return json.readTree(r.body());
    }

    private JsonNode jwtPayload(String token) throws Exception {
        String[] parts = token.split("\\.");
        assertThat(parts).as("a JWT has three parts").hasSize(3);
        return json.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }

    @Test
    void aCodeWithPkceExchangesForClaudeTokensThatWorkOnMessages() throws Exception {
        String verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        String code = mock.oauth().authorizationCode(MockOAuth.s256(verifier));
        HttpResponse<String> r = claudeToken("{\"grant_type\":\"authorization_code\",\"code\":\"" + code
                + "\",\"redirect_uri\":\"https://platform.claude.com/oauth/code/callback\",\"client_id\":\""
                + CLAUDE_CLIENT + "\",\"code_verifier\":\"" + verifier + "\",\"state\":\"" + verifier + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode t = read(r);
        assertThat(t.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(t.path("access_token").asText()).startsWith("sk-ant-oat01-");
        assertThat(t.path("refresh_token").asText()).startsWith("sk-ant-ort01-");
        assertThat(t.path("expires_in").asLong()).isEqualTo(3600);
        assertThat(t.path("scope").asText()).contains("user:inference");
        assertThat(t.path("account").path("email_address").asText()).isNotEmpty();
        assertThat(t.path("organization").path("uuid").asText()).isNotEmpty();

        HttpResponse<String> m = messages(t.path("access_token").asText(), MockOAuth.OAUTH_BETA);
        assertThat(m.statusCode()).as(m.body()).isEqualTo(200);
        assertThat(read(m).path("type").asText()).isEqualTo("message");
        assertThat(mock.oauth().issued()).singleElement().satisfies(i -> {
            assertThat(i.provider()).isEqualTo(MockOAuth.Provider.ANTHROPIC);
            assertThat(i.grantType()).isEqualTo("authorization_code");
            assertThat(i.accessToken()).isEqualTo(t.path("access_token").asText());
            assertThat(i.toString()).as("no whole token in toString").doesNotContain(i.accessToken());
        });
    }

    @Test
    void aWrongVerifierIsRefusedAndSpendsTheCode() throws Exception {
        String verifier = "correct-horse-battery-staple-0123456789abcdefgh";
        String code = mock.oauth().authorizationCode(MockOAuth.s256(verifier));
        String bad = "{\"grant_type\":\"authorization_code\",\"code\":\"" + code + "\",\"client_id\":\"" + CLAUDE_CLIENT
                + "\",\"code_verifier\":\"not-the-verifier\"}";
        HttpResponse<String> r = claudeToken(bad);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(read(r).path("error").asText()).isEqualTo("invalid_grant");

        HttpResponse<String> again = claudeToken(bad.replace("not-the-verifier", verifier));
        assertThat(again.statusCode()).as("an authorization code works once").isEqualTo(400);
        HttpResponse<String> missing = claudeToken("{\"grant_type\":\"authorization_code\",\"code\":\""
                + mock.oauth().authorizationCode(MockOAuth.s256(verifier)) + "\",\"client_id\":\"x\"}");
        assertThat(missing.statusCode())
                .as("a registered challenge needs a verifier")
                .isEqualTo(400);
        assertThat(mock.oauth().issued()).isEmpty();
    }

    @Test
    void anyMockCodeWorksOnceWithoutPkceAndOtherCodesNever() throws Exception {
        String body = "{\"grant_type\":\"authorization_code\",\"code\":\"mock-code-free\",\"client_id\":\"c\"}";
        assertThat(claudeToken(body).statusCode()).isEqualTo(200);
        assertThat(claudeToken(body).statusCode()).isEqualTo(400);
        HttpResponse<String> foreign = claudeToken(body.replace("mock-code-free", "real-code"));
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(read(foreign).path("error").asText()).isEqualTo("invalid_grant");
        HttpResponse<String> noClient = claudeToken("{\"grant_type\":\"authorization_code\",\"code\":\"mock-code-x\"}");
        assertThat(noClient.statusCode()).isEqualTo(400);
        assertThat(read(noClient).path("error").asText()).isEqualTo("invalid_request");
    }

    @Test
    void aRefreshRotatesTheRefreshTokenAndTheOldOneIsThenRefused() throws Exception {
        mock.oauth().seedRefreshToken("sk-ant-ort01-seeded");
        HttpResponse<String> first = claudeRefresh("sk-ant-ort01-seeded");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String rotated = read(first).path("refresh_token").asText();
        assertThat(rotated).startsWith("sk-ant-ort01-").isNotEqualTo("sk-ant-ort01-seeded");

        HttpResponse<String> reused = claudeRefresh("sk-ant-ort01-seeded");
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(read(reused).path("error").asText()).isEqualTo("invalid_grant");
        assertThat(read(reused).path("error_description").asText()).isEqualTo("Refresh token has already been used");

        HttpResponse<String> second = claudeRefresh(rotated);
        assertThat(second.statusCode()).as("the rotated token works once").isEqualTo(200);
        HttpResponse<String> unknown = claudeRefresh("sk-ant-ort01-never-issued");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(read(unknown).path("error").asText()).isEqualTo("invalid_grant");
        assertThat(read(unknown).path("error_description").asText()).contains("not found");

        assertThat(mock.oauth().refreshCalls()).isEqualTo(4);
        assertThat(mock.oauth().issued())
                .extracting(MockOAuth.Issued::grantType)
                .containsExactly("refresh_token", "refresh_token");
    }

    @Test
    void twoRefreshesWithTheSameTokenAtOnceGetOneSuccess() throws Exception {
        mock.oauth().seedRefreshToken("rt_race");
        mock.oauth().delay(Duration.ofMillis(200));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            calls.add(http.sendAsync(
                    request(
                                    "/oauth/token",
                                    "application/json",
                                    "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"rt_race\",\"client_id\":\"c\"}")
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            statuses.add(c.join().statusCode());
        }
        assertThat(statuses).containsExactlyInAnyOrder(200, 401);
        assertThat(mock.oauth().refreshCalls()).isEqualTo(2);
        assertThat(mock.oauth().issued()).hasSize(1);
    }

    @Test
    void theDelayHoldsTokenAnswersBackSoThatRefreshesOverlap() throws Exception {
        mock.oauth().seedRefreshToken("sk-ant-ort01-a");
        mock.oauth().seedRefreshToken("sk-ant-ort01-b");
        mock.oauth().delay(Duration.ofSeconds(2));
        CompletableFuture<HttpResponse<String>> a = http.sendAsync(
                request(
                                "/v1/oauth/token",
                                "application/json",
                                "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"sk-ant-ort01-a\",\"client_id\":\"c\"}")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> b = http.sendAsync(
                request(
                                "/v1/oauth/token",
                                "application/json",
                                "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"sk-ant-ort01-b\",\"client_id\":\"c\"}")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        mock.awaitExchange(1, Duration.ofSeconds(5));
        assertThat(mock.exchanges())
                .as("both requests are in and neither is answered yet")
                .hasSize(2)
                .noneMatch(RecordedExchange::completed);
        assertThat(a.join().statusCode()).isEqualTo(200);
        assertThat(b.join().statusCode()).isEqualTo(200);
        assertThat(mock.awaitCompleted(1, Duration.ofSeconds(5)).status()).isEqualTo(200);
    }

    @Test
    void anExpiredAccessTokenGets401OnMessages() throws Exception {
        mock.oauth().seedAccessToken("sk-ant-oat01-stale", Instant.now().minus(Duration.ofMinutes(1)));
        HttpResponse<String> r = messages("sk-ant-oat01-stale", MockOAuth.OAUTH_BETA);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(read(r).path("type").asText()).isEqualTo("error");
        assertThat(read(r).path("error").path("type").asText()).isEqualTo("authentication_error");
        assertThat(read(r).path("error").path("message").asText()).startsWith("OAuth token has expired");
        assertThat(mock.awaitCompleted(0, Duration.ofSeconds(5)).scenario()).isEqualTo("oauth-unauthorized");

        // An issued token ages with the mock's clock.
        mock.oauth().seedRefreshToken("sk-ant-ort01-r");
        String access =
                read(claudeRefresh("sk-ant-ort01-r")).path("access_token").asText();
        assertThat(messages(access, MockOAuth.OAUTH_BETA).statusCode()).isEqualTo(200);
        mock.oauth().clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));
        assertThat(messages(access, MockOAuth.OAUTH_BETA).statusCode()).isEqualTo(401);
    }

    @Test
    void seededAccessTokensCountAsIssuedUntilTheirExpiry() throws Exception {
        mock.oauth().seedAccessToken("sk-ant-oat01-seeded", Instant.now().plus(Duration.ofHours(1)));
        HttpResponse<String> r = messages("sk-ant-oat01-seeded", "interleaved-thinking-2025-05-14, oauth-2025-04-20");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        mock.oauth().strict(true);
        assertThat(messages("sk-ant-oat01-seeded", MockOAuth.OAUTH_BETA).statusCode())
                .as("seeded tokens pass in strict mode too")
                .isEqualTo(200);
    }

    @Test
    void claudeOAuthTokensNeedTheOAuthBeta() throws Exception {
        mock.oauth().seedAccessToken("sk-ant-oat01-seeded", Instant.now().plus(Duration.ofHours(1)));
        for (String beta : List.of("", "prompt-caching-2024-07-31", "oauth-2025-04-2")) {
            HttpResponse<String> r = messages("sk-ant-oat01-seeded", beta);
            assertThat(r.statusCode()).as("beta '%s'", beta).isEqualTo(401);
            assertThat(read(r).path("error").path("message").asText())
                    .isEqualTo("OAuth authentication is currently not supported.");
        }
        assertThat(messages("sk-ant-oat01-unknown", "").statusCode())
                .as("unknown OAuth tokens need the beta too")
                .isEqualTo(401);
    }

    @Test
    void unknownOAuthLookingTokensPassUnlessStrictAndOtherCredentialsAlwaysPass() throws Exception {
        assertThat(messages("sk-ant-oat01-made-up", MockOAuth.OAUTH_BETA).statusCode())
                .isEqualTo(200);
        String foreignJwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
        assertThat(openAi("/v1/responses", RESPONSES, foreignJwt).statusCode()).isEqualTo(200);

        mock.oauth().strict(true);
        HttpResponse<String> refused = messages("sk-ant-oat01-made-up", MockOAuth.OAUTH_BETA);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(read(refused).path("error").path("type").asText()).isEqualTo("authentication_error");
        assertThat(openAi("/v1/responses", RESPONSES, foreignJwt).statusCode()).isEqualTo(401);
        assertThat(openAi("/v1/chat/completions", CHAT, "sk-plain-key").statusCode())
                .as("ordinary keys are not OAuth tokens")
                .isEqualTo(200);
        HttpResponse<String> scenario = openAi("/v1/responses", RESPONSES, "mock-error-429");
        assertThat(scenario.statusCode())
                .as("mock-<scenario> credentials still pick scenarios")
                .isEqualTo(429);
    }

    @Test
    void openAiTokensAreJwtsWithTheChatGptClaims() throws Exception {
        mock.oauth().chatgptAccountId("acct-test-42");
        mock.oauth().chatgptPlanType("pro");
        mock.oauth().expiresIn(Duration.ofMinutes(10));
        HttpResponse<String> r = send(request(
                "/oauth/token",
                "application/json",
                "{\"grant_type\":\"authorization_code\",\"code\":\"mock-code-codex\",\"redirect_uri\":"
                        + "\"http://localhost:1455/auth/callback\",\"client_id\":\"" + CODEX_CLIENT
                        + "\",\"code_verifier\":\"v\"}"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode t = read(r);
        assertThat(t.path("expires_in").asLong()).isEqualTo(600);
        assertThat(t.path("refresh_token").asText()).isNotEmpty();
        for (String field : List.of("access_token", "id_token")) {
            JsonNode claims = jwtPayload(t.path(field).asText());
            JsonNode auth = claims.path("https://api.openai.com/auth");
            assertThat(auth.path("chatgpt_account_id").asText()).as(field).isEqualTo("acct-test-42");
            assertThat(auth.path("chatgpt_plan_type").asText()).as(field).isEqualTo("pro");
            assertThat(claims.path("exp").asLong() - claims.path("iat").asLong())
                    .as(field)
                    .isEqualTo(600);
        }
        JsonNode header = json.readTree(
                Base64.getUrlDecoder().decode(t.path("access_token").asText().split("\\.")[0]));
        assertThat(header.path("alg").asText()).isEqualTo("HS256");
        assertThat(mock.oauth().issued()).singleElement().satisfies(i -> assertThat(i.idToken())
                .isEqualTo(t.path("id_token").asText()));

        String access = t.path("access_token").asText();
        assertThat(openAi("/backend-api/codex/responses", RESPONSES, access).statusCode())
                .isEqualTo(200);
        assertThat(openAi("/v1/chat/completions", CHAT, access).statusCode()).isEqualTo(200);
    }

    @Test
    void aFormEncodedOpenAiRefreshRotatesAndAReuseGetsRefreshTokenReused() throws Exception {
        mock.oauth().seedRefreshToken("rt_seeded");
        HttpResponse<String> r = openAiRefreshForm("rt_seeded");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode t = read(r);
        assertThat(t.path("id_token").asText()).startsWith("eyJ");
        assertThat(t.path("access_token").asText()).startsWith("eyJ");
        assertThat(t.path("refresh_token").asText()).isNotEqualTo("rt_seeded");

        HttpResponse<String> reused = openAiRefreshForm("rt_seeded");
        assertThat(reused.statusCode()).isEqualTo(401);
        JsonNode error = read(reused).path("error");
        assertThat(error.path("code").asText()).isEqualTo("refresh_token_reused");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("already been used");
        assertThat(openAiRefreshForm("rt_unknown").statusCode()).isEqualTo(400);
        assertThat(openAiRefreshForm(t.path("refresh_token").asText()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void expiredAndForgottenOpenAiTokensGet401InOpenAisShape() throws Exception {
        mock.oauth().seedRefreshToken("rt_r");
        String access = read(openAiRefreshForm("rt_r")).path("access_token").asText();
        mock.oauth().clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));
        for (String path : List.of("/v1/responses", "/v1/chat/completions")) {
            HttpResponse<String> r = openAi(path, path.endsWith("responses") ? RESPONSES : CHAT, access);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(read(r).path("error").path("code").asText()).as(path).isEqualTo("token_expired");
        }
        mock.oauth().reset();
        HttpResponse<String> forgotten = openAi("/v1/responses", RESPONSES, access);
        assertThat(forgotten.statusCode())
                .as("a mock-signed JWT this mock does not know")
                .isEqualTo(401);
        assertThat(read(forgotten).path("error").path("code").asText()).isEqualTo("invalid_api_key");
    }

    @Test
    void theFailureSwitchAnswersEveryRefreshAndRotatesNothing() throws Exception {
        mock.oauth().seedRefreshToken("sk-ant-ort01-keep");
        mock.oauth().seedRefreshToken("rt_keep");
        mock.oauth().failRefresh(503, "temporarily_unavailable");
        HttpResponse<String> claude = claudeRefresh("sk-ant-ort01-keep");
        assertThat(claude.statusCode()).isEqualTo(503);
        assertThat(read(claude).path("error").asText()).isEqualTo("temporarily_unavailable");
        HttpResponse<String> openAi = openAiRefreshForm("rt_keep");
        assertThat(openAi.statusCode()).isEqualTo(503);
        assertThat(read(openAi).path("error").path("code").asText()).isEqualTo("temporarily_unavailable");
        assertThat(mock.oauth().refreshCalls()).isEqualTo(2);
        assertThat(mock.oauth().issued()).isEmpty();

        mock.oauth().clearFailure();
        assertThat(claudeRefresh("sk-ant-ort01-keep").statusCode()).isEqualTo(200);
        assertThat(openAiRefreshForm("rt_keep").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> mock.oauth().failRefresh(200, "ok")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenRequestsAreRecordedAndResetClearsCountersButKeepsTokens() throws Exception {
        mock.oauth().seedRefreshToken("sk-ant-ort01-rec");
        HttpResponse<String> r = claudeRefresh("sk-ant-ort01-rec");
        RecordedExchange ex = mock.awaitCompleted(0, Duration.ofSeconds(5));
        assertThat(ex.uri()).isEqualTo("/v1/oauth/token");
        assertThat(ex.scenario()).isEqualTo("oauth-refresh_token");
        assertThat(ex.status()).isEqualTo(200);
        assertThat(new String(ex.body(), StandardCharsets.UTF_8)).contains("sk-ant-ort01-rec");
        assertThat(new String(ex.responseBody(), StandardCharsets.UTF_8)).isEqualTo(r.body());
        assertThat(mock.oauth().refreshCalls()).isEqualTo(1);

        mock.reset();
        assertThat(mock.oauth().refreshCalls()).isZero();
        assertThat(mock.oauth().issued()).isEmpty();
        assertThat(mock.exchanges()).isEmpty();
        String access = read(r).path("access_token").asText();
        assertThat(messages(access, MockOAuth.OAUTH_BETA).statusCode())
                .as("issued tokens survive MockUpstream.reset()")
                .isEqualTo(200);
        assertThat(claudeRefresh(read(r).path("refresh_token").asText()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void expiresInComesFromTheOptionsAndAnUnsupportedGrantIsRefused() throws Exception {
        try (MockUpstream quick =
                MockUpstream.start(MockOptions.defaults().withOAuthExpiresIn(Duration.ofSeconds(90)))) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(quick.baseUrl() + "/v1/oauth/token"))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "grant_type=authorization_code&code=mock-code-q&client_id=c"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(read(r).path("expires_in").asLong()).isEqualTo(90);
            assertThat(quick.oauth().issued().get(0).accessToken()).startsWith("sk-ant-oat01-");
        }
        HttpResponse<String> r = claudeToken("{\"grant_type\":\"client_credentials\",\"client_id\":\"c\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(read(r).path("error").asText()).isEqualTo("unsupported_grant_type");
        assertThatThrownBy(() -> MockOptions.defaults().withOAuthExpiresIn(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oauthExpiresIn");
    }
}
