package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.core.AccountKind;
import io.relaygate.core.KeyRules;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs a scenario full of secrets (gateway keys, upstream keys, a proxy password, the admin token) through successes,
 * failovers, refusals and errors, then looks for each secret in every log line written meanwhile (at DEBUG) and in
 * every response, headers included: none may appear.
 */
class SecretScanIT {

    private static final String UPSTREAM = "sk-ant-api03-SCANupstreamSecret0123456789";
    private static final String FAILING_UPSTREAM = "mock-error-429";
    private static final String PROXY_PASSWORD = "SCANproxyPassw0rd987";
    private static final String ADMIN_TOKEN = "SCANadminToken-0123456789abcdef";
    private static final String REFRESH = "sk-ant-ort01-SCANrefreshToken0123456789";
    private static final String REVOKED_REFRESH = "sk-ant-ort01-SCANrevokedRefresh0123456789";
    private static final String ADMIN_ADDED_KEY = "sk-ant-api03-SCANaddedThroughAdminApi0123";
    private static final String ADMIN_ADDED_REFRESH = "sk-ant-ort01-SCANaddedRefreshToken012345";

    @Test
    void noSecretReachesALogLineOrAResponse() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        root.addAppender(lines);
        List<String> responses = new ArrayList<>();
        List<String> secrets = new ArrayList<>(List.of(
                UPSTREAM,
                FAILING_UPSTREAM,
                PROXY_PASSWORD,
                ADMIN_TOKEN,
                REFRESH,
                REVOKED_REFRESH,
                ADMIN_ADDED_KEY,
                ADMIN_ADDED_REFRESH));
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        try (GatewayHarness gw = GatewayHarness.builder()
                .config(c -> c.withScheduling(c.scheduling().withAdminToken(ADMIN_TOKEN)))
                .start()) {
            secrets.add(gw.key);
            secrets.add(GatewayHarness.UPSTREAM_KEY);
            gw.addAccount("scan-main", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), UPSTREAM, 20);
            gw.addAccount("scan-limited", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), FAILING_UPSTREAM, 10);
            io.relaygate.core.Account viaProxy = new io.relaygate.core.Account(
                    "acc_scanproxy",
                    "scan-proxied",
                    AccountKind.ANTHROPIC_API,
                    gw.mock.baseUrl(),
                    UPSTREAM,
                    "socks5://scanuser:" + PROXY_PASSWORD + "@127.0.0.1:" + closedPort,
                    5,
                    true,
                    null,
                    List.of(),
                    Map.of(),
                    java.time.Instant.now(),
                    null,
                    Map.of());
            gw.store.accounts().create(viaProxy).toCompletableFuture().join();
            String limited = gw.keyWith(new KeyRules(
                    null,
                    1L,
                    Duration.ofMinutes(1),
                    null,
                    null,
                    null,
                    null,
                    null,
                    List.of(),
                    List.of(),
                    java.util.Set.of(),
                    null,
                    null,
                    null));
            secrets.add(limited);
            ApiKeyService keys = new ApiKeyService(gw.store.keys());
            String disabled = keys.create("scan-disabled", KeyRules.NONE)
                    .toCompletableFuture()
                    .join()
                    .secret();
            keys.disable("scan-disabled").toCompletableFuture().join();
            secrets.add(disabled);

            // through a dead proxy, then a 429 account, then the main one: streamed tool use
            record(responses, gw.post("/v1/messages", messages("claude-sonnet-4-5", true, "mock:tool_use")));
            record(responses, gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hello")));
            record(responses, gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "mock:error-500")));
            record(responses, gw.post("/v1/messages", messages("claude-sonnet-4-5", true, "mock:reset-mid-stream")));
            // refusals: a limit, a disabled key, a wrong secret with a real key's id, no key
            record(responses, gw.post("/v1/messages", messages("m", false, "a"), "x-api-key", limited));
            record(responses, gw.post("/v1/messages", messages("m", false, "b"), "x-api-key", limited));
            record(responses, gw.post("/v1/messages", messages("m", false, "c"), "x-api-key", disabled));
            String wrong = gw.key.substring(0, gw.key.lastIndexOf('_') + 1) + "WRONGsecretWRONGsecret0123456789";
            secrets.add(wrong);
            record(responses, gw.post("/v1/messages", messages("m", false, "d"), "authorization", "Bearer " + wrong));
            // OpenAI format, and the admin API with a wrong and the right token
            record(
                    responses,
                    gw.post(
                            "/v1/chat/completions",
                            "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
            record(responses, gw.get("/admin/accounts", "authorization", "Bearer " + ADMIN_TOKEN + "x"));
            record(responses, gw.get("/admin/accounts", "authorization", "Bearer " + ADMIN_TOKEN));
            record(responses, gw.get("/admin/usage?by=account", "authorization", "Bearer " + ADMIN_TOKEN));

            // a subscription account refreshed on first use, then one whose refresh is refused
            gw.mock.oauth().seedRefreshToken(REFRESH);
            subscription(gw, "scan-subscription", REFRESH, 2);
            record(responses, gw.post("/v1/messages", messages("claude-sonnet-4-5", true, "mock:tool_use")));
            gw.mock.oauth().failRefresh(400, "invalid_grant");
            subscription(gw, "scan-revoked", REVOKED_REFRESH, 1);
            record(responses, gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "after revoke")));
            for (io.relaygate.bench.mock.MockOAuth.Issued i : gw.mock.oauth().issued()) {
                secrets.add(i.accessToken());
                secrets.add(i.refreshToken());
            }
            // a Responses client streaming tool calls, converted
            record(
                    responses,
                    gw.post(
                            "/openai/v1/responses",
                            "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"input\":\"mock:tool_use\"}"));
            // admin changes: accounts added with an API key and with a refresh token, one resumed
            String admin = "Bearer " + ADMIN_TOKEN;
            record(
                    responses,
                    gw.post(
                            "/admin/accounts",
                            "{\"kind\":\"anthropic-api\",\"name\":\"scan-admin-key\",\"baseUrl\":\""
                                    + gw.mock.baseUrl() + "\",\"apiKey\":\"" + ADMIN_ADDED_KEY
                                    + "\",\"priority\":99}",
                            "authorization",
                            admin));
            record(
                    responses,
                    gw.post(
                            "/admin/accounts",
                            "{\"kind\":\"claude-oauth\",\"name\":\"scan-admin-sub\",\"baseUrl\":\""
                                    + gw.mock.baseUrl() + "\",\"refreshToken\":\"" + ADMIN_ADDED_REFRESH
                                    + "\",\"priority\":99}",
                            "authorization",
                            admin));
            record(responses, gw.post("/admin/accounts/scan-revoked/resume", "", "authorization", admin));
        } finally {
            root.detachAppender(lines);
        }

        List<String> logged = new ArrayList<>();
        for (ILoggingEvent e : lines.list) {
            logged.add(e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : " " + e.getThrowableProxy().getMessage()));
        }
        assertThat(logged).as("the scenario logged (at DEBUG)").hasSizeGreaterThan(20);
        assertThat(responses).hasSize(18);
        assertThat(logged)
                .as("the refused refresh was logged, with the endpoint's reason")
                .anyMatch(l -> l.contains("scan-revoked") && l.contains("invalid_grant"));
        assertThat(secrets).as("tokens the mock issued in the refresh").hasSizeGreaterThan(14);
        for (String secret : secrets) {
            assertThat(logged).as("log lines containing a secret").noneMatch(l -> l.contains(secret));
            assertThat(responses).as("responses containing a secret").noneMatch(r -> r.contains(secret));
        }
    }

    private static void subscription(GatewayHarness gw, String name, String refresh, int priority) {
        io.relaygate.core.Account a = new io.relaygate.core.Account(
                "acc_" + io.relaygate.core.Ids.random(8),
                name,
                AccountKind.CLAUDE_OAUTH,
                gw.mock.baseUrl(),
                new io.relaygate.core.OAuthTokens(
                                "", refresh, java.time.Instant.EPOCH, gw.mock.baseUrl() + "/v1/oauth/token", null, null)
                        .encode(),
                null,
                priority,
                true,
                null,
                List.of(),
                Map.of(),
                java.time.Instant.now(),
                null,
                Map.of());
        gw.store.accounts().create(a).toCompletableFuture().join();
    }

    private static void record(List<String> responses, HttpResponse<byte[]> r) {
        responses.add(r.statusCode() + " " + r.headers().map() + " " + new String(r.body(), StandardCharsets.UTF_8));
    }
}
