package io.relaygate.codec.responses.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.Usage;
import org.junit.jupiter.api.Test;

class AnthropicToResponsesResponseTest {

    @Test
    void capturedNonStreamingAnswerBecomesAResponse() throws Exception {
        JsonNode message = ResponsesStreams.JSON
                .readTree(ClientFixtures.dir()
                        .resolve("claude-code-2.1.330_nonstream_fallback.json")
                        .toFile())
                .path("response")
                .path("body");
        JsonNode r = AnthropicToResponsesResponse.map(message, "gpt-5.5", new ResponsesTools(), ResponsesStreams.FIXED);

        assertThat(r.path("id").asText()).isEqualTo("resp_68cf154ca7a048aca7a1dc6f");
        assertThat(r.path("object").asText()).isEqualTo("response");
        assertThat(r.path("created_at").asLong())
                .isEqualTo(ResponsesStreams.FIXED.instant().getEpochSecond());
        assertThat(r.path("model").asText()).isEqualTo("gpt-5.5");
        assertThat(r.path("status").asText()).isEqualTo("completed");
        assertThat(r.path("output")).hasSize(1);
        assertThat(r.path("output").path(0).path("content").path(0).path("text").asText())
                .isEqualTo("Hi! This answer came from the capture server.");
        assertThat(r.path("usage").path("input_tokens").asLong()).isEqualTo(42);
        assertThat(r.path("usage").path("output_tokens").asLong()).isEqualTo(12);
        assertThat(r.path("usage").path("total_tokens").asLong()).isEqualTo(54);
        assertThat(AnthropicToResponsesResponse.usage(message)).isEqualTo(new Usage(42, 12, 0, 0));
    }

    @Test
    void thinkingToolUseAndCustomToolBlocksBecomeTheirItems() throws Exception {
        ResponsesTools tools = new ResponsesTools();
        tools.register("apply_patch", null, true);
        tools.register("sleep", "clock", false);
        JsonNode message = ResponsesStreams.JSON.readTree(("{'id':'msg_x','content':["
                        + "{'type':'thinking','thinking':'hmm','signature':'s1'},"
                        + "{'type':'redacted_thinking','data':'d1'},"
                        + "{'type':'text','text':'ok'},"
                        + "{'type':'tool_use','id':'toolu_a','name':'sleep','input':{'duration_ms':5}},"
                        + "{'type':'tool_use','id':'toolu_b','name':'apply_patch','input':{'input':'*** Begin Patch'}}],"
                        + "'stop_reason':'max_tokens','usage':{'input_tokens':1,'cache_read_input_tokens':10,"
                        + "'cache_creation_input_tokens':100,'output_tokens':2}}")
                .replace('\'', '"'));
        JsonNode r = AnthropicToResponsesResponse.map(message, "gpt-5.5", tools);
        JsonNode out = r.path("output");

        assertThat(java.util.stream.StreamSupport.stream(out.spliterator(), false)
                        .map(i -> i.path("type").asText()))
                .containsExactly("reasoning", "reasoning", "message", "function_call", "custom_tool_call");
        assertThat(out.get(0).path("encrypted_content").asText()).isEqualTo(OutputItems.THINKING_MARK + "s1");
        assertThat(out.get(1).path("encrypted_content").asText()).isEqualTo(OutputItems.REDACTED_MARK + "d1");
        assertThat(out.get(3).path("namespace").asText()).isEqualTo("clock");
        assertThat(out.get(3).path("arguments").asText()).isEqualTo("{\"duration_ms\":5}");
        assertThat(out.get(4).path("input").asText()).isEqualTo("*** Begin Patch");
        assertThat(out.get(4).path("call_id").asText()).isEqualTo("toolu_b");
        assertThat(r.path("status").asText()).isEqualTo("incomplete");
        assertThat(r.path("incomplete_details").path("reason").asText()).isEqualTo("max_output_tokens");
        assertThat(r.path("usage").path("input_tokens").asLong()).isEqualTo(111);
        assertThat(r.path("usage")
                        .path("input_tokens_details")
                        .path("cached_tokens")
                        .asLong())
                .isEqualTo(10);
        assertThat(r.path("usage").path("total_tokens").asLong()).isEqualTo(113);
    }
}
