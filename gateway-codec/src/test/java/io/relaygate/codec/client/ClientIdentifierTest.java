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
import io.relaygate.core.signatures.ClientSignatures;
import io.relaygate.core.signatures.SignaturesReader;
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
            return ClientIdentifier.identify(name -> headers.get(name.toLowerCase(Locale.ROOT)), skim, true);
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

    private static final String BILLING = "{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: "
            + "cc_version=2.1.330.440; cc_entrypoint=sdk-cli;\"}";
    private static final String AGENT_SDK_PROMPT =
            "{\"type\":\"text\",\"text\":\"You are a Claude agent, built on Anthropic's Claude Agent SDK.\"}";
    private static final String METADATA = "\"metadata\":{\"user_id\":"
            + "\"{\\\"device_id\\\":\\\"d\\\",\\\"account_uuid\\\":\\\"\\\",\\\"session_id\\\":\\\"s-1\\\"}\"}";

    @Test
    void claudeCodeNeedsItsUserAgentAndItsPrompt() {
        String body = "{\"model\":\"m\",\"system\":[" + BILLING + "," + AGENT_SDK_PROMPT + "]," + METADATA
                + ",\"messages\":[]}";
        ClientIdentity id = identify(Map.of("user-agent", "claude-cli/2.1.330 (external, sdk-cli)"), body);
        assertThat(id.kind()).isEqualTo(ClientKind.CLAUDE_CODE);
        assertThat(id.evidence()).isEqualTo("user-agent claude-cli/2.1.330 + Claude Code prompt [agent-sdk]");
        assertThat(id.version()).isEqualTo("2.1.330");
        assertThat(id.sessionId()).isEqualTo("s-1");
    }

    @Test
    void claudeCodeLookAlikesAreOther() {
        // Claude Code's user agent with an SDK's own system prompt (and the billing block copied).
        ClientIdentity uaOnly = identify(
                Map.of("user-agent", "claude-cli/2.1.330 (external, cli)"),
                "{\"model\":\"m\",\"system\":[" + BILLING + ",{\"type\":\"text\",\"text\":\"You are helpful.\"}],"
                        + "\"messages\":[]}");
        assertThat(uaOnly.kind()).isEqualTo(ClientKind.OTHER);
        assertThat(uaOnly.evidence()).contains("without Claude Code's system prompt");
        // Claude Code's prompts under a browser's user agent.
        ClientIdentity promptOnly = identify(
                Map.of("user-agent", "Mozilla/5.0 (X11; Linux x86_64)"),
                "{\"model\":\"m\",\"system\":[" + BILLING + "," + AGENT_SDK_PROMPT + "],\"messages\":[]}");
        assertThat(promptOnly.kind()).isEqualTo(ClientKind.OTHER);
        assertThat(promptOnly.evidence()).isEqualTo("Claude Code prompt [agent-sdk] under user-agent Mozilla/5.0");
        // No prompt at all under Claude Code's user agent.
        assertThat(identify(Map.of("user-agent", "claude-cli/2.1.330"), "{\"model\":\"m\",\"messages\":[]}")
                        .kind())
                .isEqualTo(ClientKind.OTHER);
    }

    @Test
    void withoutABodyTheUserAgentDecides() {
        SkimmedRequest none = new SkimmedRequest(null, false, null, null, null, null, false, null, null);
        assertThat(ClientIdentifier.identify(
                                n -> n.equals("user-agent") ? "claude-cli/2.1.330 (external, cli)" : null, none, false)
                        .kind())
                .isEqualTo(ClientKind.CLAUDE_CODE);
        assertThat(ClientIdentifier.identify(
                                n -> n.equals("user-agent") ? "claude-cli/2.1.330 (external, cli)" : null, none, true)
                        .kind())
                .isEqualTo(ClientKind.OTHER);
    }

    @Test
    void codexNeedsItsUserAgentOrOriginatorAndItsPrompt() {
        String prompt = "{\"model\":\"m\",\"input\":[{\"type\":\"message\",\"role\":\"developer\",\"content\":"
                + "[{\"type\":\"input_text\",\"text\":\"You are Codex, a coding agent based on GPT-5.\"}]}],"
                + "\"prompt_cache_key\":\"p1\"}";
        ClientIdentity tui = identify(
                Map.of("user-agent", "codex-tui/0.169.0 (Debian 12.0.0; x86_64) xterm", "originator", "codex-tui"),
                prompt);
        assertThat(tui.kind()).isEqualTo(ClientKind.CODEX);
        assertThat(tui.evidence()).isEqualTo("user-agent codex-tui/0.169.0 + Codex prompt [catalog-models]");
        assertThat(tui.sessionId()).isEqualTo("p1");
        ClientIdentity vscode = identify(Map.of("user-agent", "codex_vscode/0.169.0 (Mac OS 15.1; arm64)"), prompt);
        assertThat(vscode.kind()).isEqualTo(ClientKind.CODEX);
        assertThat(vscode.version()).isEqualTo("0.169.0");
        // Look-alikes: Codex's user agent with another prompt, Codex's prompt under a browser.
        assertThat(identify(
                                Map.of("user-agent", "codex_exec/0.169.0"),
                                "{\"model\":\"m\",\"instructions\":\"Be brief.\"}")
                        .kind())
                .isEqualTo(ClientKind.OTHER);
        assertThat(identify(Map.of("user-agent", "Mozilla/5.0", "originator", "codex_exec"), prompt)
                        .kind())
                .as("Codex's originator and prompt under a browser's user agent")
                .isEqualTo(ClientKind.OTHER);
        ClientIdentity browser = identify(Map.of("user-agent", "Mozilla/5.0"), prompt);
        assertThat(browser.kind()).isEqualTo(ClientKind.OTHER);
        assertThat(browser.evidence()).isEqualTo("Codex prompt [catalog-models] under user-agent Mozilla/5.0");
    }

    @Test
    void sdksAndCurlAreOther() {
        ClientIdentity sdk = identify(
                Map.of("user-agent", "AnthropicJava/3.12.0", "x-stainless-lang", "java"),
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(sdk.kind()).isEqualTo(ClientKind.OTHER);
        assertThat(identify(Map.of(), "{\"model\":\"m\"}").evidence()).isEqualTo("no user-agent");
    }

    @Test
    void aNewPromptIsRecognisedOnceTheSignaturesNameIt() {
        String newPrompt = "{\"type\":\"text\",\"text\":\"You are Claude Code 3, Anthropic's agentic CLI.\"}";
        String body = "{\"model\":\"m\",\"system\":[" + BILLING + "," + newPrompt + "],\"messages\":[]}";
        Map<String, String> headers = Map.of("user-agent", "claude-cli/3.0.0 (external, cli)");
        assertThat(identify(headers, body).kind())
                .as("the shipped signatures do not know the new prompt")
                .isEqualTo(ClientKind.OTHER);

        ClientSignatures updated = SignaturesReader.parse("test", """
                as_of: '2026-12-06'
                claude_code:
                  user_agent_prefixes: [claude-cli/]
                  prompts: {v3: "You are Claude Code 3, Anthropic's agentic CLI"}
                codex:
                  user_agent_prefixes: [codex_]
                  prompts: {catalog-models: "You are Codex, "}
                """, "test");
        ByteBuf buf = Unpooled.copiedBuffer(body, java.nio.charset.StandardCharsets.UTF_8);
        try {
            ClientIdentity id = ClientIdentifier.identify(
                    name -> headers.get(name.toLowerCase(Locale.ROOT)), RequestSkimmer.skim(buf), true, updated);
            assertThat(id.kind()).isEqualTo(ClientKind.CLAUDE_CODE);
            assertThat(id.evidence()).isEqualTo("user-agent claude-cli/3.0.0 + Claude Code prompt [v3]");
        } finally {
            buf.release();
        }
    }
}
