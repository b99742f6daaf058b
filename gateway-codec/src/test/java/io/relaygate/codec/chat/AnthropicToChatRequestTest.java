package io.relaygate.codec.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.GatewayException;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.CatalogueReader;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnthropicToChatRequestTest {

    private final ObjectMapper json = new ObjectMapper();

    private ObjectNode map(String request, ChatTarget target) throws Exception {
        return AnthropicToChatRequest.map(json.readTree(request), target, new ToolNames());
    }

    @Test
    void everyCapturedClaudeCodeRequestMapsWithToolCallsAnsweredInOrder() throws Exception {
        int mapped = 0;
        for (Path file : ClientFixtures.jsonFiles()) {
            if (!file.getFileName().toString().startsWith("claude-code-")) {
                continue;
            }
            JsonNode body = json.readTree(file.toFile()).path("request").path("body");
            if (!body.isObject()) {
                continue;
            }
            ObjectNode out = AnthropicToChatRequest.map(body, ChatTarget.of("gpt-4.1", 32_000L), new ToolNames());
            String name = file.getFileName().toString();
            JsonNode messages = out.path("messages");
            assertThat(messages.get(0).path("role").asText()).as(name).isEqualTo("system");
            assertThat(messages.get(0).path("content").asText()).as(name).contains("x-anthropic-billing-header");
            assertThat(out.path("tools").size())
                    .as(name)
                    .isEqualTo(body.path("tools").size());
            assertThat(out.path("max_tokens").asLong()).as("clamped: %s", name).isEqualTo(32_000L);
            assertThat(out.path("stream_options").path("include_usage").asBoolean())
                    .isEqualTo(body.path("stream").asBoolean());
            // Every tool message answers a tool call of the assistant message before it.
            Set<String> open = new HashSet<>();
            for (JsonNode m : messages) {
                switch (m.path("role").asText()) {
                    case "assistant" -> {
                        open.clear();
                        m.path("tool_calls").forEach(c -> open.add(c.path("id").asText()));
                    }
                    case "tool" ->
                        assertThat(open)
                                .as(name)
                                .contains(m.path("tool_call_id").asText());
                    case "user" -> open.clear();
                    default -> {}
                }
                assertThat(m.path("role").asText()).isIn("system", "user", "assistant", "tool");
            }
            mapped++;
        }
        assertThat(mapped).isGreaterThanOrEqualTo(15);
    }

    @Test
    void contentBlocksToolsAndChoicesMapToTheirChatCounterparts() throws Exception {
        String longName = "mcp__server__" + "x".repeat(70);
        ObjectNode out = map(
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"temperature\":0.3,\"top_p\":0.9,"
                        + "\"stop_sequences\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"system\":\"sys\","
                        + "\"metadata\":{\"user_id\":\"alice\"},"
                        + "\"tools\":[{\"name\":\"" + longName
                        + "\",\"description\":\"d\",\"input_schema\":{\"type\":\"object\"}},"
                        + "{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}],"
                        + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"" + longName
                        + "\",\"disable_parallel_tool_use\":true},"
                        + "\"messages\":["
                        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},{\"type\":\"image\",\"source\":"
                        + "{\"type\":\"base64\",\"media_type\":\"image/jpeg\",\"data\":\"AAAA\"}}]},"
                        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"t\",\"signature\":\"s\"},"
                        + "{\"type\":\"text\",\"text\":\"calling\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\""
                        + longName + "\",\"input\":{\"q\":1}}]},"
                        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"here\"},{\"type\":\"tool_result\","
                        + "\"tool_use_id\":\"toolu_1\",\"is_error\":true,\"content\":[{\"type\":\"text\",\"text\":\"boom\"}]}]}]}",
                ChatTarget.of("gpt-4o", null));
        JsonNode m = out.path("messages");
        assertThat(m.get(0).path("content").asText()).isEqualTo("sys");
        assertThat(m.get(1).path("content").get(1).path("image_url").path("url").asText())
                .isEqualTo("data:image/jpeg;base64,AAAA");
        assertThat(m.get(2).path("content").asText()).as("thinking dropped").isEqualTo("calling");
        String shortName =
                m.get(2).path("tool_calls").get(0).path("function").path("name").asText();
        assertThat(shortName).hasSize(64);
        assertThat(m.get(2)
                        .path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("arguments")
                        .asText())
                .isEqualTo("{\"q\":1}");
        assertThat(m.get(3).path("role").asText())
                .as("tool result before the user's text")
                .isEqualTo("tool");
        assertThat(m.get(3).path("content").asText()).isEqualTo(ChatMessages.TOOL_ERROR_PREFIX + "boom");
        assertThat(m.get(4).path("content").asText()).isEqualTo("here");
        assertThat(out.path("tools")).as("server tool dropped").hasSize(1);
        assertThat(out.path("tool_choice").path("function").path("name").asText())
                .isEqualTo(shortName);
        assertThat(out.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(out.path("stop")).hasSize(4);
        assertThat(out.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(out.path("user").asText()).isEqualTo("alice");
        assertThat(out.has("stream")).isFalse();
    }

    @Test
    void reasoningModelsGetMaxCompletionTokensAndEffortButNoSampling() throws Exception {
        ObjectNode out = map(
                "{\"model\":\"claude-opus-4-1\",\"max_tokens\":64000,\"temperature\":1,"
                        + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":20000},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                ChatTarget.of("o3", null));
        assertThat(out.path("max_completion_tokens").asLong()).isEqualTo(64000);
        assertThat(out.has("max_tokens")).isFalse();
        assertThat(out.has("temperature")).isFalse();
        assertThat(out.path("reasoning_effort").asText()).isEqualTo("high");
        ObjectNode adaptive = map(
                "{\"model\":\"m\",\"max_tokens\":10,\"thinking\":{\"type\":\"adaptive\"},"
                        + "\"output_config\":{\"effort\":\"low\"},\"messages\":[]}",
                ChatTarget.of("gpt-5-mini", null));
        assertThat(adaptive.path("reasoning_effort").asText()).isEqualTo("low");
    }

    @Test
    void malformedRequestsFailNamingTheField() {
        assertThatThrownBy(() -> map("{\"messages\":{}}", ChatTarget.of("m", null)))
                .isInstanceOf(GatewayException.class)
                .hasMessageContaining("messages");
        assertThatThrownBy(
                        () -> map("{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", ChatTarget.of("m", null)))
                .hasMessageContaining("messages.0.role: robot");
    }

    @Test
    void toolNamesAreRestoredAndModelsMappedByTier() {
        ToolNames names = new ToolNames();
        String longName = "a".repeat(80);
        assertThat(names.restore(names.shorten(longName))).isEqualTo(longName);
        assertThat(names.shorten("Bash")).isEqualTo("Bash");
        ModelMapper mapper = new ModelMapper(Map.of(
                "small",
                "qwen3:8b",
                "middle",
                "qwen3:32b",
                "big",
                "deepseek-r1",
                "claude-3-*",
                "legacy",
                "Exact-Model",
                "exact"));
        assertThat(mapper.upstreamModel("claude-haiku-4-5")).isEqualTo("qwen3:8b");
        assertThat(mapper.upstreamModel("claude-sonnet-4-5-20250929")).isEqualTo("qwen3:32b");
        assertThat(mapper.upstreamModel("claude-opus-5-5")).isEqualTo("deepseek-r1");
        assertThat(mapper.upstreamModel("claude-3-haiku-20240307"))
                .as("glob before tiers")
                .isEqualTo("legacy");
        assertThat(mapper.upstreamModel("exact-model")).isEqualTo("exact");
        assertThat(mapper.upstreamModel("gpt-4o")).isEqualTo("gpt-4o");
        assertThat(mapper.upstreamModel("claude-fable-5-2"))
                .as("fable is a tier like the others: big in the shipped catalogue")
                .isEqualTo("deepseek-r1");
        assertThat(mapper.upstreamModel("claude-fable-7"))
                .as("a future fable too")
                .isEqualTo("deepseek-r1");
    }

    @Test
    void tierSizesComeFromTheCatalogueSoAnOperatorCanMoveATier() {
        Catalogue moved = CatalogueReader.parse(
                "test",
                "{\"as_of\":\"x\",\"tier_sizes\":{\"fable\":\"middle\"},"
                        + "\"models\":{\"claude-fable-5-2\":{\"vendor\":\"anthropic\",\"tier\":\"fable\","
                        + "\"input\":8,\"output\":40}}}",
                "test");
        ModelMapper mapper = new ModelMapper(Map.of("middle", "qwen3:32b", "big", "deepseek-r1"), moved);
        assertThat(mapper.upstreamModel("claude-fable-5-2")).isEqualTo("qwen3:32b");
        assertThat(new ModelMapper(Map.of("fable", "named"), moved).upstreamModel("claude-fable-5-2"))
                .as("no size entry: the entry named after the tier")
                .isEqualTo("named");
    }
}
