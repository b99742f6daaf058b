package io.relaygate.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorBodiesTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void anthropicShapeHasTypeErrorAndNestedTypeAndMessage() throws Exception {
        JsonNode n = json.readTree(ErrorBodies.json(WireFormat.ANTHROPIC, ErrorKind.NOT_FOUND, "no \"route\"\n here"));
        assertThat(n.path("type").asText()).isEqualTo("error");
        assertThat(n.path("error").path("type").asText()).isEqualTo("not_found_error");
        assertThat(n.path("error").path("message").asText())
                .as("quotes and newlines survive JSON escaping")
                .isEqualTo("no \"route\"\n here");
    }

    @Test
    void openAiShapeHasMessageTypeAndCode() throws Exception {
        JsonNode n = json.readTree(ErrorBodies.json(WireFormat.OPENAI_CHAT, ErrorKind.RATE_LIMIT, "slow down"));
        assertThat(n.path("error").path("message").asText()).isEqualTo("slow down");
        assertThat(n.path("error").path("type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(n.path("error").has("code")).isTrue();
    }

    @Test
    void messagesAreRedacted() {
        String body = new String(
                ErrorBodies.json(WireFormat.ANTHROPIC, ErrorKind.AUTHENTICATION, "bad key rg_abcdefghijklmnop"),
                StandardCharsets.UTF_8);
        assertThat(body).doesNotContain("efghijklmnop");
    }
}
