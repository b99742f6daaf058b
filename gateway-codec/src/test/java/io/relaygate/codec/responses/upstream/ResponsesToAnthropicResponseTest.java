package io.relaygate.codec.responses.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.Usage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponsesToAnthropicResponseTest {

    private final ObjectMapper json = new ObjectMapper();

    /** The {@code response} of the capture's response.completed event: a whole Responses answer. */
    private JsonNode completedResponse(String fixture) throws Exception {
        String sse = new String(ClientFixtures.read(ClientFixtures.dir().resolve(fixture)), StandardCharsets.UTF_8);
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && line.contains("\"response.completed\"")) {
                return json.readTree(line.substring(6)).path("response");
            }
        }
        throw new AssertionError("no response.completed in " + fixture);
    }

    @Test
    void capturedAnswersBecomeAnthropicMessages() throws Exception {
        ObjectNode tool = ResponsesToAnthropicResponse.map(
                completedResponse("codex-0.169.0_reasoning_function_call_stream.sse"),
                "claude-opus-5-5",
                new ToolNames());
        assertThat(tool.path("id").asText()).isEqualTo("msg_resp_c6152f20d1064f4f83f21c10");
        assertThat(tool.path("model").asText()).isEqualTo("claude-opus-5-5");
        JsonNode content = tool.path("content");
        assertThat(content).hasSize(2);
        assertThat(content.get(0).path("type").asText()).isEqualTo("thinking");
        assertThat(content.get(0).path("thinking").asText()).isEqualTo("**Planning** Reading the file first.");
        assertThat(content.get(1).path("type").asText()).isEqualTo("tool_use");
        assertThat(content.get(1).path("id").asText()).isEqualTo("call_be69499c3b8e4c8cb22c7ee6");
        assertThat(content.get(1).path("input").path("cmd").asText()).isEqualTo("cat /SCRATCH/work/hello.txt");
        assertThat(tool.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(tool.path("usage").path("input_tokens").asLong()).isEqualTo(42);
        assertThat(tool.path("usage").path("output_tokens").asLong()).isEqualTo(12);

        ObjectNode text = ResponsesToAnthropicResponse.map(
                completedResponse("codex-0.169.0_text_stream.sse"), "claude-haiku-5-5", new ToolNames());
        assertThat(text.path("content")).hasSize(1);
        assertThat(text.path("content").get(0).path("text").asText())
                .isEqualTo("Hi! This answer came from the capture server.");
        assertThat(text.path("stop_reason").asText()).isEqualTo("end_turn");

        ObjectNode custom = ResponsesToAnthropicResponse.map(
                completedResponse("codex-0.169.0_custom_tool_call_stream.sse"), "m", new ToolNames());
        assertThat(custom.path("content").get(0).path("input").path("input").asText())
                .startsWith("const r = await");
    }

    @Test
    void invalidArgumentsLongNamesCachedUsageAndTheOutputLimit() throws Exception {
        ToolNames names = new ToolNames();
        String longName = "mcp__server__" + "x".repeat(80);
        String shortName = names.shorten(longName);
        JsonNode response = json.readTree("""
                {"id":"resp_2","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},
                 "output":[
                  {"type":"web_search_call","id":"ws_1","status":"completed"},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Part "},
                                                                   {"type":"refusal","refusal":"two"}]},
                  {"type":"function_call","call_id":"call_1","name":"%s","arguments":"{\\"a\\": 1"}],
                 "usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":600},"output_tokens":70,
                          "output_tokens_details":{"reasoning_tokens":20},"total_tokens":1070}}
                """.formatted(shortName));
        ObjectNode out = ResponsesToAnthropicResponse.map(response, "claude-sonnet-4-5", names);
        JsonNode content = out.path("content");
        assertThat(content).as("hosted tool items left out").hasSize(2);
        assertThat(content.get(0).path("text").asText()).isEqualTo("Part two");
        assertThat(content.get(1).path("name").asText()).isEqualTo(longName);
        assertThat(content.get(1).path("input").path("_raw_arguments").asText()).isEqualTo("{\"a\": 1");
        assertThat(out.path("stop_reason").asText())
                .as("truncated, even mid tool call")
                .isEqualTo("max_tokens");
        assertThat(ResponsesToAnthropicResponse.usage(response)).isEqualTo(new Usage(400, 70, 0, 600));
        assertThat(out.path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(600);
        assertThat(ResponsesToAnthropicResponse.usage(json.readTree("{\"usage\":null}")))
                .isEqualTo(Usage.ZERO);
    }
}
