package io.relaygate.codec.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.WireFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorEventsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void anthropicSseErrorEventIsOneCompleteNamedEvent() throws Exception {
        String event = new String(
                ErrorEvents.bytes(WireFormat.ANTHROPIC, ErrorKind.OVERLOADED, "busy"), StandardCharsets.UTF_8);
        assertThat(event).startsWith("event: error\ndata: ").endsWith("\n\n");
        JsonNode n =
                json.readTree(event.substring("event: error\ndata: ".length()).trim());
        assertThat(n.path("error").path("type").asText()).isEqualTo("overloaded_error");
    }

    @Test
    void eachFormatGetsTheBytesItAlwaysGot() {
        assertThat(text(WireFormat.ANTHROPIC, ErrorKind.OVERLOADED, "busy"))
                .isEqualTo("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                        + "\"message\":\"busy\"}}\n\n");
        assertThat(text(WireFormat.OPENAI_CHAT, ErrorKind.RATE_LIMIT, "slow \"down\""))
                .as("Chat has no event names: a bare data line with the OpenAI error object")
                .isEqualTo("data: {\"error\":{\"message\":\"slow \\\"down\\\"\",\"type\":\"rate_limit_exceeded\","
                        + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}\n\n");
        assertThat(text(WireFormat.OPENAI_RESPONSES, ErrorKind.RATE_LIMIT, "slow"))
                .as("Responses: the flat error event")
                .isEqualTo("event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\","
                        + "\"message\":\"slow\",\"param\":null}\n\n");
    }

    @Test
    void secretsInTheMessageAreRedactedInEveryFormat() {
        for (WireFormat f : WireFormat.values()) {
            assertThat(text(f, ErrorKind.AUTHENTICATION, "bad key rg_abcdefghijklmnopqrstuv"))
                    .as("%s", f)
                    .doesNotContain("abcdefghijklmnopqrstuv");
        }
    }

    private static String text(WireFormat f, ErrorKind k, String m) {
        return new String(ErrorEvents.bytes(f, k, m), StandardCharsets.UTF_8);
    }
}
