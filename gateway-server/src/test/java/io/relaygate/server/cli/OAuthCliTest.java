package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOAuth;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.Account;
import io.relaygate.core.OAuthTokens;
import io.relaygate.core.config.StoreConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signing subscription accounts in with the CLI against the mock's token endpoints: the PKCE URL and the code
 * exchange, a refresh token from the environment, a Codex {@code auth.json}; tokens stored encrypted and never
 * printed.
 */
class OAuthCliTest {

    private static MockUpstream mock;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start(MockOptions.defaults());
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    @org.junit.jupiter.api.io.TempDir
    Path dataDir;

    private final java.util.List<String> printed = new java.util.ArrayList<>();

    record Result(int code, String out, String err) {}

    private Result run(String... args) {
        return run(Map.of(), args);
    }

    private Result run(Map<String, String> extraEnv, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("RELAYGATE_DATA_DIR", dataDir.toString());
        int code = RelaygateMain.run(
                args,
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                env);
        Result r = new Result(
                code,
                out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
        printed.add(r.out());
        printed.add(r.err());
        return r;
    }

    private static JsonNode json(Result r) throws Exception {
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isZero();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    }

    private Account stored(String name) {
        try (Store store = StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dataDir, null, "x:"), Map.of())) {
            return store.accounts()
                    .findByName(name)
                    .toCompletableFuture()
                    .join()
                    .orElseThrow();
        }
    }

    private static String query(String url, String name) {
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " in " + url);
    }

    @Test
    void aClaudeSignInExchangesTheCodeWithItsVerifier() throws Exception {
        JsonNode start = json(run("accounts", "oauth-url", "--json"));
        String url = start.path("url").asText();
        String verifier = start.path("verifier").asText();
        assertThat(url).startsWith(OAuthTokens.CLAUDE_AUTHORIZE_URL + "?");
        assertThat(query(url, "code_challenge_method")).isEqualTo("S256");
        assertThat(query(url, "code_challenge")).isEqualTo(MockOAuth.s256(verifier));
        assertThat(query(url, "client_id")).isEqualTo(OAuthTokens.CLAUDE_CLIENT_ID);

        // The sign-in page shows code#state; the mock issues a code bound to the URL's challenge.
        String code = mock.oauth().authorizationCode(query(url, "code_challenge")) + "#" + query(url, "state");
        Result wrong = run(
                "accounts",
                "add",
                "--kind",
                "claude-oauth",
                "--name",
                "max-bad",
                "--base-url",
                mock.baseUrl(),
                "--oauth-code",
                code,
                "--oauth-verifier",
                "not-the-verifier",
                "--token-url",
                mock.baseUrl() + "/v1/oauth/token");
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("the token endpoint refused the code (HTTP 400");

        String good = mock.oauth().authorizationCode(query(url, "code_challenge"));
        JsonNode added = json(run(
                "accounts",
                "add",
                "--kind",
                "claude-oauth",
                "--name",
                "max",
                "--base-url",
                mock.baseUrl(),
                "--oauth-code",
                good,
                "--oauth-verifier",
                verifier,
                "--token-url",
                mock.baseUrl() + "/v1/oauth/token",
                "--json"));
        assertThat(added.path("oauth").path("refreshable").asBoolean()).isTrue();
        MockOAuth.Issued issued =
                mock.oauth().issued().get(mock.oauth().issued().size() - 1);
        OAuthTokens tokens = OAuthTokens.parse(stored("max").credential());
        assertThat(tokens.accessToken()).isEqualTo(issued.accessToken());
        assertThat(tokens.refreshToken()).isEqualTo(issued.refreshToken());
        assertThat(tokens.tokenUrl()).isEqualTo(mock.baseUrl() + "/v1/oauth/token");
        assertThat(String.join("\n", printed))
                .doesNotContain(issued.accessToken())
                .doesNotContain(issued.refreshToken());
        assertThat(Files.readString(dataDir.resolve("accounts.json")))
                .as("encrypted at rest")
                .doesNotContain(issued.refreshToken());
    }

    @Test
    void aClaudeSignInWithAProxyExchangesTheCodeThroughIt() throws Exception {
        JsonNode start = json(run("accounts", "oauth-url", "--json"));
        String url = start.path("url").asText();
        String code = mock.oauth().authorizationCode(query(url, "code_challenge"));
        try (io.relaygate.server.proxy.Socks5Proxy proxy =
                new io.relaygate.server.proxy.Socks5Proxy("signin", "s0cks-signin")) {
            json(run(
                    "accounts",
                    "add",
                    "--kind",
                    "claude-oauth",
                    "--name",
                    "max-proxied",
                    "--base-url",
                    mock.baseUrl(),
                    "--proxy",
                    "socks5://signin:s0cks-signin@127.0.0.1:" + proxy.port(),
                    "--oauth-code",
                    code,
                    "--oauth-verifier",
                    start.path("verifier").asText(),
                    "--token-url",
                    mock.baseUrl() + "/v1/oauth/token",
                    "--json"));
            assertThat(proxy.tunnels())
                    .as("the code went to the token endpoint through the account's proxy")
                    .singleElement()
                    .satisfies(t -> {
                        assertThat(t.port())
                                .isEqualTo(URI.create(mock.baseUrl()).getPort());
                        assertThat(t.user()).isEqualTo("signin");
                        assertThat(t.password()).isEqualTo("s0cks-signin");
                    });
        }
        MockOAuth.Issued issued =
                mock.oauth().issued().get(mock.oauth().issued().size() - 1);
        assertThat(OAuthTokens.parse(stored("max-proxied").credential()).accessToken())
                .isEqualTo(issued.accessToken());
        assertThat(String.join("\n", printed)).doesNotContain("s0cks-signin").doesNotContain(issued.refreshToken());
    }

    @Test
    void aRefreshTokenFromTheEnvironmentIsRefreshedOnFirstUse() throws Exception {
        json(run(
                Map.of("MAX_REFRESH", "sk-ant-ort01-imported-refresh"),
                "accounts",
                "add",
                "--kind",
                "claude-oauth",
                "--name",
                "imported",
                "--base-url",
                mock.baseUrl(),
                "--refresh-token-env",
                "MAX_REFRESH",
                "--json"));
        OAuthTokens tokens = OAuthTokens.parse(stored("imported").credential());
        assertThat(tokens.refreshToken()).isEqualTo("sk-ant-ort01-imported-refresh");
        assertThat(tokens.dueAt(Instant.now(), 0)).isTrue();
        assertThat(String.join("\n", printed)).doesNotContain("sk-ant-ort01-imported-refresh");

        Result both = run(
                Map.of("MAX_REFRESH", "x", "KEY", "y"),
                "accounts",
                "add",
                "--kind",
                "claude-oauth",
                "--name",
                "both",
                "--base-url",
                mock.baseUrl(),
                "--refresh-token-env",
                "MAX_REFRESH",
                "--api-key-env",
                "KEY");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("more than one given");
    }

    @Test
    void aCodexAuthFileIsImported() throws Exception {
        Path auth = dataDir.resolve("auth.json");
        Files.writeString(
                auth,
                "{\"OPENAI_API_KEY\":null,\"tokens\":{\"id_token\":\"eyJhbGciOiJub25lIn0.e30.\","
                        + "\"access_token\":\"eyJhbGciOiJub25lIn0.e30.\",\"refresh_token\":\"rt_from_codex_login\","
                        + "\"account_id\":\"acct-from-file\"},\"last_refresh\":\"2026-11-20T10:00:00Z\"}");
        json(run(
                "accounts",
                "add",
                "--kind",
                "codex-oauth",
                "--name",
                "chatgpt",
                "--base-url",
                mock.baseUrl() + "/backend-api/codex",
                "--codex-auth-file",
                auth.toString(),
                "--json"));
        OAuthTokens tokens = OAuthTokens.parse(stored("chatgpt").credential());
        assertThat(tokens.refreshToken()).isEqualTo("rt_from_codex_login");
        assertThat(tokens.accountId()).isEqualTo("acct-from-file");
        Result missing = run(
                "accounts",
                "add",
                "--kind",
                "codex-oauth",
                "--name",
                "none",
                "--base-url",
                mock.baseUrl(),
                "--codex-auth-file",
                dataDir.resolve("nope.json").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--codex-auth-file");
    }
}
