package io.relaygate.codec.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.codec.sse.ClientFixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void knownO200kCounts() {
        // o200k_base: "hello world" is two tokens, the empty string none.
        assertThat(TokenEstimator.text("hello world")).isEqualTo(2);
        assertThat(TokenEstimator.text("")).isZero();
    }

    @Test
    void countsSystemMessagesToolsAndToolTurns() throws Exception {
        JsonNode small =
                json.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}");
        assertThat(TokenEstimator.count(small))
                .as("3 priming + 3 per message + 2")
                .isEqualTo(8);
        JsonNode withTool = json.readTree("{\"model\":\"m\",\"system\":\"be brief\",\"tools\":[{\"name\":\"Read\","
                + "\"description\":\"Read a file\",\"input_schema\":{\"type\":\"object\"}}],\"messages\":["
                + "{\"role\":\"user\",\"content\":\"hello world\"},{\"role\":\"assistant\",\"content\":[{\"type\":"
                + "\"tool_use\",\"id\":\"t\",\"name\":\"Read\",\"input\":{\"file_path\":\"/a\"}}]},{\"role\":\"user\","
                + "\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":\"hello world\"}]}]}");
        assertThat(TokenEstimator.count(withTool)).isGreaterThan(TokenEstimator.count(small) + 20);
    }

    @Test
    void claudeCodeRequestsCountInTheRangeTheirSizeSuggests() throws Exception {
        Path capture = ClientFixtures.dir().resolve("claude-code-2.1.330_print_stream_apikey.json");
        JsonNode body = json.readTree(capture.toFile()).path("request").path("body");
        long tokens = TokenEstimator.count(body);
        int chars = body.toString().length();
        // English prose and JSON schemas run 3.5 to 5 characters per o200k token.
        assertThat(tokens).isBetween(chars / 6L, chars / 3L);
    }
}
