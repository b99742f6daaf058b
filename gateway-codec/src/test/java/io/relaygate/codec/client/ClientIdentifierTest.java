package io.relaygate.codec.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.ClientKind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientIdentifierTest {

    private final ObjectMapper json = new ObjectMapper();

    private ClientIdentity identify(Map<String, String> headers, String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, java.nio.charset.StandardCharsets.UTF_8);
        try {
            SkimmedRequest skim = RequestSkimmer.skim(buf);
            return ClientIdentifier.identify(name -> headers.get(name.toLowerCase(Locale.ROOT)), skim);
        } finally {
            buf.release();
        }
    }

    @Test
    void everyCapturedRequestIsAttributedToItsClientWithItsSession() throws Exception {
        int checked = 0;
        for (Path file : ClientFixtures.jsonFiles()) {
            JsonNode request = json.readTree(file.toFile()).path("request");
            if (!request.path("body").isObject()) {
                continue;
            }
            Map<String, String> headers = new HashMap<>();
            for (JsonNode h : request.path("headers")) {
                headers.put(h.get(0).asText().toLowerCase(Locale.ROOT), h.get(1).asText());
            }
            String name = file.getFileName().toString();
            ClientIdentity id = identify(headers, json.writeValueAsString(request.path("body")));
            if (name.startsWith("claude-code-")) {
                assertThat(id.kind()).as(name).isEqualTo(ClientKind.CLAUDE_CODE);
                assertThat(id.sessionId()).as(name).isEqualTo(headers.get("x-claude-code-session-id"));
            } else {
                assertThat(id.kind()).as(name).isEqualTo(ClientKind.CODEX);
                assertThat(id.sessionId()).as(name).isEqualTo(headers.get("session-id"));
            }
            assertThat(id.version()).as(name).matches("\\d+\\.\\d+\\.\\d+");
            checked++;
        }
        assertThat(checked).isGreaterThan(25);
    }

    @Test
    void claudeCodeIsRecognisedByItsBillingBlockEvenWithAnotherUserAgent() {
        String body = "{\"model\":\"m\",\"system\":[{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: "
                + "cc_version=2.1.330.440; cc_entrypoint=sdk-cli;\"}],\"metadata\":{\"user_id\":"
                + "\"{\\\"device_id\\\":\\\"d\\\",\\\"account_uuid\\\":\\\"\\\",\\\"session_id\\\":\\\"s-1\\\"}\"},"
                + "\"messages\":[]}";
        ClientIdentity id = identify(Map.of("user-agent", "proxy/1.0"), body);
        assertThat(id.kind()).isEqualTo(ClientKind.CLAUDE_CODE);
        assertThat(id.evidence()).contains("billing");
        assertThat(id.sessionId()).isEqualTo("s-1");
    }

    @Test
    void codexTuiAndOriginatorAreCodex() {
        assertThat(identify(Map.of("originator", "codex-tui"), "{\"model\":\"m\"}")
                        .kind())
                .isEqualTo(ClientKind.CODEX);
        ClientIdentity byPrompt = identify(
                Map.of(),
                "{\"model\":\"m\",\"instructions\":\"You are Codex, a coding agent\",\"prompt_cache_key\":\"p1\"}");
        assertThat(byPrompt.kind()).isEqualTo(ClientKind.CODEX);
        assertThat(byPrompt.sessionId()).isEqualTo("p1");
    }

    @Test
    void sdksAndCurlAreOther() {
        ClientIdentity sdk = identify(
                Map.of("user-agent", "AnthropicJava/3.12.0", "x-stainless-lang", "java"),
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(sdk.kind()).isEqualTo(ClientKind.OTHER);
        assertThat(identify(Map.of(), "{\"model\":\"m\"}").evidence()).isEqualTo("no user-agent");
    }
}
