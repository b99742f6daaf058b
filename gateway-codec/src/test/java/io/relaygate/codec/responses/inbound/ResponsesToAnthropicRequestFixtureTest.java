package io.relaygate.codec.responses.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.sse.ClientFixtures;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every captured Codex 0.169.0 request, mapped to Anthropic, must be a request the Messages API accepts. */
class ResponsesToAnthropicRequestFixtureTest {

    static Stream<Path> codexRequests() {
        return ClientFixtures.jsonFiles().stream()
                .filter(p -> p.getFileName().toString().startsWith("codex-0.169.0_"))
                .filter(p -> ResponsesStreams.codexBody(p).isObject());
    }

    private static ObjectNode map(String fixture, ResponsesTools tools) {
        return ResponsesToAnthropicRequest.map(
                ResponsesStreams.codexBody(ClientFixtures.dir().resolve(fixture)), "claude-opus-5-5", tools);
    }

    @Test
    void allCapturedRequestsWithABodyAreCovered() {
        assertThat(codexRequests().count())
                .as("Codex captures with a JSON body")
                .isGreaterThanOrEqualTo(12);
    }

    @ParameterizedTest
    @MethodSource("codexRequests")
    void mappedRequestIsValidAnthropic(Path file) {
        JsonNode body = ResponsesStreams.codexBody(file);
        ResponsesTools tools = new ResponsesTools();
        ObjectNode out = ResponsesToAnthropicRequest.map(body, "claude-opus-5-5", tools);

        assertThat(out.path("model").asText()).isEqualTo("claude-opus-5-5");
        assertThat(out.path("max_tokens").asLong()).isEqualTo(ResponsesToAnthropicRequest.DEFAULT_MAX_TOKENS);
        assertThat(out.path("stream").asBoolean()).isTrue();
        for (String dropped : List.of(
                "input",
                "store",
                "include",
                "prompt_cache_key",
                "client_metadata",
                "text",
                "reasoning",
                "parallel_tool_calls")) {
            assertThat(out.has(dropped))
                    .as("%s is not an Anthropic field", dropped)
                    .isFalse();
        }
        assertThat(out.path("metadata").path("user_id").asText())
                .as("prompt_cache_key (Codex's session id) becomes the user id")
                .isEqualTo(body.path("prompt_cache_key").asText());

        // The system prompt: Codex's first developer message.
        String codexPrompt = body.path("input").findValues("content").stream()
                .filter(JsonNode::isArray)
                .map(c -> c.path(0).path("text").asText())
                .filter(t -> t.startsWith("You are"))
                .findFirst()
                .orElseThrow();
        assertThat(out.path("system").path(0).path("text").asText()).isEqualTo(codexPrompt);
        assertThat(out.path("system")
                        .get(out.path("system").size() - 1)
                        .path("cache_control")
                        .path("type")
                        .asText())
                .as("cache breakpoint on the system prompt")
                .isEqualTo("ephemeral");

        JsonNode messages = out.path("messages");
        assertThat(messages.size()).isPositive();
        assertThat(messages.get(0).path("role").asText()).isEqualTo("user");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (i > 0) {
                assertThat(m.path("role").asText())
                        .as("roles alternate at %d", i)
                        .isNotEqualTo(messages.get(i - 1).path("role").asText());
            }
            assertThat(m.path("content").size()).as("turn %d has content", i).isPositive();
            boolean inLeadingResults = true;
            for (JsonNode b : m.path("content")) {
                String type = b.path("type").asText();
                if (type.equals("text")) {
                    assertThat(b.path("text").asText())
                            .as("no empty text block")
                            .isNotEmpty();
                }
                if (type.equals("tool_result")) {
                    assertThat(inLeadingResults)
                            .as("tool results first in their turn")
                            .isTrue();
                    assertThat(toolUseIds(messages.get(i - 1)))
                            .as("tool_result %s answers a tool_use of the turn before", b.path("tool_use_id"))
                            .contains(b.path("tool_use_id").asText());
                } else {
                    inLeadingResults = false;
                }
            }
            if (m.path("role").asText().equals("assistant")) {
                Set<String> answered = new HashSet<>();
                messages.path(i + 1)
                        .path("content")
                        .forEach(b -> answered.add(b.path("tool_use_id").asText()));
                assertThat(answered)
                        .as("every tool_use of turn %d is answered next", i)
                        .containsAll(toolUseIds(m));
            }
        }

        Set<String> names = new HashSet<>();
        for (JsonNode t : out.path("tools")) {
            assertThat(t.path("name").asText()).matches("^[a-zA-Z0-9_-]{1,128}$");
            assertThat(names.add(t.path("name").asText()))
                    .as("tool names are unique")
                    .isTrue();
            assertThat(t.path("input_schema").path("type").asText()).isEqualTo("object");
            assertThat(t.has("type"))
                    .as("only custom (client) tools, no hosted ones")
                    .isFalse();
        }
        assertThat(names).doesNotContain("web_search", "tool_search");
        if (body.path("parallel_tool_calls").asBoolean(true) == false) {
            assertThat(out.path("tool_choice").path("disable_parallel_tool_use").asBoolean())
                    .isTrue();
        }
        String effort = body.path("reasoning").path("effort").asText("");
        if (!effort.isEmpty() && !out.has("thinking")) {
            assertThat(file.getFileName().toString())
                    .as("thinking is only left out mid tool loop without an Anthropic thinking block")
                    .contains("turn2");
        }
        if (out.has("thinking")) {
            assertThat(out.path("thinking").path("type").asText()).isEqualTo("adaptive");
            assertThat(out.path("output_config").path("effort").asText()).isEqualTo(effort);
        }
    }

    @Test
    void classicModelToolsIncludeApplyPatchAsAFreeformTool() {
        ResponsesTools tools = new ResponsesTools();
        ObjectNode out = map("codex-0.169.0_exec_tooluse_gpt-5.5_turn1.json", tools);
        JsonNode applyPatch = tool(out, "apply_patch");

        assertThat(tools.isCustom("apply_patch")).isTrue();
        assertThat(tools.isCustom("exec_command")).isFalse();
        assertThat(applyPatch.path("input_schema").path("required"))
                .containsExactly(ResponsesStreams.JSON.valueToTree("input"));
        assertThat(applyPatch
                        .path("input_schema")
                        .path("properties")
                        .path("input")
                        .path("description")
                        .asText())
                .as("the lark grammar reaches the model")
                .contains("lark")
                .contains("begin_patch");
        assertThat(applyPatch.path("description").asText()).contains(ToolDeclarations.FREEFORM_NOTE);
        assertThat(tool(out, "exec_command")
                        .path("input_schema")
                        .path("required")
                        .toString())
                .contains("cmd");
        assertThat(out.path("tools").findValuesAsText("name"))
                .containsExactly(
                        "exec_command",
                        "write_stdin",
                        "request_user_input",
                        "apply_patch",
                        "view_image",
                        "get_goal",
                        "create_goal",
                        "update_goal");
    }

    @Test
    void additionalToolsOfTheDefaultModelAreHonoured() {
        for (String fixture : List.of(
                "codex-0.169.0_exec_responses_default_model.json", "codex-0.169.0_exec_tooluse_codemode_turn1.json")) {
            ResponsesTools tools = new ResponsesTools();
            ObjectNode out = map(fixture, tools);

            assertThat(out.path("tools").findValuesAsText("name"))
                    .as(fixture)
                    .contains("exec", "wait", "request_user_input", "sleep", "spawn_agent", "wait_agent");
            assertThat(tools.isCustom("exec")).isTrue();
            assertThat(tool(out, "exec")
                            .path("input_schema")
                            .path("properties")
                            .path("input")
                            .path("description")
                            .asText())
                    .contains("@exec");
            assertThat(tools.namespace("sleep")).as("clock namespace echoed").isEqualTo("clock");
            assertThat(tools.namespace("exec"))
                    .as("functions is the default namespace")
                    .isNull();
            assertThat(out.path("tool_choice").path("type").asText()).isEqualTo("auto");
            assertThat(out.path("thinking").path("type").asText()).isEqualTo("adaptive");
            assertThat(out.path("output_config").path("effort").asText()).isEqualTo("low");
            // Four developer messages lead the input: all of them are system text.
            assertThat(out.path("system").size()).isEqualTo(6);
        }
    }

    @Test
    void titleGenerationSchemaBecomesStructuredOutput() {
        ObjectNode out = map("codex-0.169.0_tui_title_generation.json", new ResponsesTools());
        JsonNode format = out.path("output_config").path("format");

        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        JsonNode title = format.path("schema").path("properties").path("title");
        assertThat(title.path("type").asText()).isEqualTo("string");
        assertThat(title.has("maxLength"))
                .as("unsupported by Anthropic, moved to the description")
                .isFalse();
        assertThat(title.path("description").asText()).contains("maxLength: 36");
        assertThat(format.path("schema").path("additionalProperties").asBoolean(true))
                .isFalse();
    }

    @Test
    void functionCallRoundTripKeepsIdsArgumentsAndOutput() {
        JsonNode body = ResponsesStreams.codexBody(
                ClientFixtures.dir().resolve("codex-0.169.0_exec_tooluse_gpt-5.5_turn2.json"));
        JsonNode call = body.path("input").get(4);
        JsonNode output = body.path("input").get(5);
        ObjectNode out = ResponsesToAnthropicRequest.map(body, "claude-opus-5-5", new ResponsesTools());
        JsonNode messages = out.path("messages");
        JsonNode toolUse = messages.get(messages.size() - 2).path("content").path(0);
        JsonNode result = messages.get(messages.size() - 1).path("content").path(0);

        assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
        assertThat(toolUse.path("id").asText()).isEqualTo(call.path("call_id").asText());
        assertThat(toolUse.path("name").asText()).isEqualTo("exec_command");
        assertThat(toolUse.path("input"))
                .isEqualTo(InputTurns.arguments(call.path("arguments").asText()));
        assertThat(toolUse.path("input").path("cmd").asText()).isNotEmpty();
        assertThat(result.path("type").asText()).isEqualTo("tool_result");
        assertThat(result.path("tool_use_id").asText())
                .isEqualTo(call.path("call_id").asText());
        assertThat(result.path("content").asText())
                .isEqualTo(output.path("output").asText());
        assertThat(result.path("cache_control").path("type").asText())
                .as("breakpoint on the newest block")
                .isEqualTo("ephemeral");
    }

    @Test
    void customToolCallRoundTripWrapsTheInputAndKeepsTheOutputParts() {
        JsonNode body = ResponsesStreams.codexBody(
                ClientFixtures.dir().resolve("codex-0.169.0_exec_tooluse_codemode_turn2.json"));
        JsonNode call = body.path("input").get(7);
        ObjectNode out = ResponsesToAnthropicRequest.map(body, "claude-opus-5-5", new ResponsesTools());
        JsonNode messages = out.path("messages");
        JsonNode toolUse = messages.get(messages.size() - 2).path("content").path(0);
        JsonNode result = messages.get(messages.size() - 1).path("content").path(0);

        assertThat(toolUse.path("name").asText()).isEqualTo("exec");
        assertThat(toolUse.path("id").asText()).isEqualTo(call.path("call_id").asText());
        assertThat(toolUse.path("input").path("input").asText())
                .isEqualTo(call.path("input").asText());
        assertThat(result.path("tool_use_id").asText())
                .isEqualTo(call.path("call_id").asText());
        assertThat(result.path("content").findValuesAsText("text"))
                .containsExactly(
                        "Script completed\nWall time 0.1 seconds\nOutput:\n",
                        body.path("input")
                                .get(8)
                                .path("output")
                                .get(1)
                                .path("text")
                                .asText());
    }

    @Test
    void openAiReasoningIsDroppedAndThinkingOffMidToolLoop() {
        JsonNode body = ResponsesStreams.codexBody(
                ClientFixtures.dir().resolve("codex-0.169.0_exec_reasoning_tooluse_turn2.json"));
        ObjectNode out = ResponsesToAnthropicRequest.map(body, "claude-opus-5-5", new ResponsesTools());

        assertThat(out.toString()).doesNotContain("gAAAAAcapture").doesNotContain("**Planning**");
        assertThat(out.has("thinking"))
                .as("the last assistant turn has no Anthropic thinking block to lead it")
                .isFalse();
        assertThat(out.path("output_config").has("effort")).isFalse();
    }

    private static JsonNode tool(JsonNode out, String name) {
        for (JsonNode t : out.path("tools")) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tool " + name + " in " + out.path("tools").findValuesAsText("name"));
    }

    private static Set<String> toolUseIds(JsonNode message) {
        Set<String> ids = new HashSet<>();
        for (JsonNode b : message.path("content")) {
            if (b.path("type").asText().equals("tool_use")) {
                ids.add(b.path("id").asText());
            }
        }
        return ids;
    }
}
