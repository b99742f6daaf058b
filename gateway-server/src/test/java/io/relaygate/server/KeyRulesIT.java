package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.core.ClientKind;
import io.relaygate.core.KeyRules;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A key's model, client and account rules, enforced before anything reaches an upstream. */
class KeyRulesIT {

    private static GatewayHarness gw;
    private static ApiKeyService keys;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        keys = new ApiKeyService(gw.store.keys());
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    private static String key(String name, KeyRules rules) {
        return keys.create(name, rules).toCompletableFuture().join().secret();
    }

    private static KeyRules rules(
            List<String> allowed, List<String> denied, Set<ClientKind> clients, String account, String group) {
        return new KeyRules(
                null, null, null, null, null, null, null, null, allowed, denied, clients, null, account, group);
    }

    private JsonNode refused(HttpResponse<byte[]> r, int status) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        return json.readTree(r.body()).path("error");
    }

    @Test
    void modelRulesAllowAndDenyWithPatterns() throws Exception {
        String k = key(
                "models-" + System.nanoTime(),
                rules(List.of("claude-haiku-*", "claude-sonnet-4-5"), List.of("claude-haiku-3"), Set.of(), null, null));
        assertThat(gw.post("/v1/messages", messages("claude-haiku-4-5", false, "hi"), "x-api-key", k)
                        .statusCode())
                .isEqualTo(200);
        assertThat(gw.post("/v1/messages", messages("Claude-Sonnet-4-5", false, "hi"), "x-api-key", k)
                        .statusCode())
                .as("case-insensitive")
                .isEqualTo(200);
        // as Anthropic's own gateway answers a model outside a person's upstreams (testdata/clients/gateway)
        JsonNode notAllowed =
                refused(gw.post("/v1/messages", messages("claude-opus-4-1", false, "hi"), "x-api-key", k), 400);
        assertThat(notAllowed.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(notAllowed.path("message").asText()).contains("claude-opus-4-1", "not allowed");
        assertThat(refused(gw.post("/v1/messages", messages("claude-haiku-3", false, "hi"), "x-api-key", k), 400)
                        .path("message")
                        .asText())
                .contains("denied");
    }

    @Test
    void clientRuleRefusesOtherClientsInTheirOwnFormat() throws Exception {
        String k = key(
                "cc-only-" + System.nanoTime(),
                rules(List.of(), List.of(), Set.of(ClientKind.CLAUDE_CODE), null, null));
        JsonNode e = refused(gw.post("/v1/messages", messages("m", false, "hi"), "x-api-key", k), 403);
        assertThat(e.path("message").asText()).contains("claude-code", "other");
        String claudeCodeBody = "{\"model\":\"m\",\"max_tokens\":64,\"system\":[{\"type\":\"text\",\"text\":"
                + "\"You are Claude Code, Anthropic's official CLI for Claude.\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<byte[]> asClaudeCode = gw.post(
                "/v1/messages", claudeCodeBody, "x-api-key", k, "user-agent", "claude-cli/2.1.330 (external, cli)");
        assertThat(asClaudeCode.statusCode()).isEqualTo(200);
        // Claude Code's user agent alone is a look-alike.
        refused(
                gw.post(
                        "/v1/messages",
                        messages("m", false, "hi"),
                        "x-api-key",
                        k,
                        "user-agent",
                        "claude-cli/2.1.330 (external, cli)"),
                403);
        JsonNode chat = json.readTree(gw.post(
                        "/v1/chat/completions",
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        "authorization",
                        "Bearer " + k)
                .body());
        assertThat(chat.path("error").path("type").asText())
                .as("OpenAI shape on a Chat route")
                .isEqualTo("permission_denied");
    }

    @Test
    void keyBoundToAnotherAccountGetsAClearError() throws Exception {
        String k = key("bound-" + System.nanoTime(), rules(List.of(), List.of(), Set.of(), "some-other-account", null));
        JsonNode e = refused(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", k), 503);
        assertThat(e.path("message").asText()).contains("bound to account some-other-account");
        String ok = key("bound-ok-" + System.nanoTime(), rules(List.of(), List.of(), Set.of(), "mock-anthropic", null));
        assertThat(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", ok)
                        .statusCode())
                .isEqualTo(200);
    }
}
