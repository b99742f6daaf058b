package io.relaygate.codec.responses.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicRequests;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.GatewayException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnthropicToResponsesRequestTest {

    private static final ResponsesTarget API = new ResponsesTarget("gpt-5.5", false, 32_000L);
    private static final ResponsesTarget CODEX = new ResponsesTarget("gpt-5.5", true, 32_000L);
    private static final String LONG_TOOL = "mcp__workspace_files__" + "read_".repeat(14);

    private final ObjectMapper json = new ObjectMapper();

    private JsonNode body(String s) throws Exception {
        return json.readTree(s);
    }

    /** Every function_call_output follows a function_call with its call_id, and every call gets one output. */
    private static void assertCallsPaired(JsonNode input, String label) {
        Set<String> calls = new HashSet<>();
        Set<String> answered = new HashSet<>();
        for (JsonNode item : input) {
            String type = item.path("type").asText();
            assertThat(type).as("%s: item types", label).isIn("message", "function_call", "function_call_output");
            if (type.equals("function_call")) {
                assertThat(calls.add(item.path("call_id").asText()))
                        .as("%s: call ids unique", label)
                        .isTrue();
                assertThat(item.path("arguments").isTextual()).isTrue();
            } else if (type.equals("function_call_output")) {
                String id = item.path("call_id").asText();
                assertThat(calls).as("%s: output %s after its call", label, id).contains(id);
                assertThat(answered.add(id))
                        .as("%s: one output per call", label)
                        .isTrue();
                assertThat(item.path("output").isTextual()).isTrue();
            } else {
                assertThat(item.path("role").asText()).isIn("user", "assistant", "developer");
                for (JsonNode part : item.path("content")) {
                    String pt = part.path("type").asText();
                    if (item.path("role").asText().equals("assistant")) {
                        assertThat(pt).as("%s: assistant parts", label).isEqualTo("output_text");
                    } else {
                        assertThat(pt).as("%s: input parts", label).isIn("input_text", "input_image", "input_file");
                    }
                }
            }
        }
        assertThat(answered).as("%s: every call answered", label).isEqualTo(calls);
    }

    @Test
    void everyCapturedClaudeCodeRequestMapsToAValidResponsesRequest() throws Exception {
        int mapped = 0;
        for (Path file : ClientFixtures.jsonFiles()) {
            String label = file.getFileName().toString();
            if (!label.startsWith("claude-code-")) {
                continue;
            }
            JsonNode body = json.readTree(file.toFile()).path("request").path("body");
            if (!body.isObject()) {
                continue;
            }
            for (ResponsesTarget target : List.of(API, CODEX)) {
                ObjectNode out = AnthropicToResponsesRequest.map(body, target, new ToolNames());
                String l = label + (target.codexBackend() ? " (codex)" : "");

                assertThat(out.path("model").asText()).isEqualTo("gpt-5.5");
                String instructions = out.path("instructions").asText();
                for (JsonNode block : body.path("system")) {
                    assertThat(instructions)
                            .as("%s: system text in instructions", l)
                            .contains(block.path("text").asText());
                }
                assertThat(out.toString()).as("%s: cache_control dropped", l).doesNotContain("cache_control");

                // Messages map one to one here (no tool turn holds text besides its results).
                JsonNode input = out.path("input");
                List<String> roles = new ArrayList<>();
                for (JsonNode item : input) {
                    roles.add(
                            item.path("type").asText().equals("message")
                                    ? item.path("role").asText()
                                    : item.path("type").asText());
                }
                List<String> expectedRoles = new ArrayList<>();
                for (JsonNode m : body.path("messages")) {
                    String role = m.path("role").asText();
                    if (role.equals("system")) {
                        expectedRoles.add("developer");
                        continue;
                    }
                    boolean textSeen = false;
                    for (JsonNode b : m.path("content").isArray() ? m.path("content") : json.createArrayNode()) {
                        String t = b.path("type").asText();
                        if (t.equals("text") && !textSeen) {
                            expectedRoles.add(role);
                            textSeen = true;
                        } else if (t.equals("tool_use")) {
                            expectedRoles.add("function_call");
                            textSeen = false;
                        } else if (t.equals("tool_result")) {
                            expectedRoles.add("function_call_output");
                        }
                    }
                    if (m.path("content").isTextual()) {
                        expectedRoles.add(role);
                    }
                }
                assertThat(roles)
                        .as("%s: items in order, system message as developer in place", l)
                        .isEqualTo(expectedRoles);
                assertCallsPaired(input, l);

                int customTools = 0;
                for (JsonNode t : body.path("tools")) {
                    customTools += t.has("type") ? 0 : 1;
                }
                assertThat(out.path("tools")).as("%s: every tool mapped", l).hasSize(customTools);
                for (JsonNode t : out.path("tools")) {
                    assertThat(t.path("type").asText()).isEqualTo("function");
                    assertThat(t.path("parameters").isObject()).isTrue();
                    assertThat(t.path("strict").asBoolean(true)).isFalse();
                }
                assertThat(out.path("reasoning").path("effort").asText())
                        .as("%s: effort from adaptive thinking + output_config.effort", l)
                        .isEqualTo(body.path("output_config").path("effort").asText());
                boolean omitted = body.path("thinking").path("display").asText().equals("omitted");
                assertThat(out.path("reasoning").has("summary"))
                        .as("%s: summary unless omitted", l)
                        .isEqualTo(!omitted);
                assertThat(out.path("store").asBoolean(true)).isFalse();
                assertThat(out.has("temperature")).isFalse();
                assertThat(out.path("prompt_cache_key").asText())
                        .hasSizeLessThanOrEqualTo(64)
                        .isNotEmpty();
                if (target.codexBackend()) {
                    assertThat(out.has("max_output_tokens"))
                            .as("%s: codex takes no output cap", l)
                            .isFalse();
                    assertThat(out.path("stream").asBoolean())
                            .as("%s: codex only streams", l)
                            .isTrue();
                } else {
                    assertThat(out.path("max_output_tokens").asLong())
                            .as("%s: clamped", l)
                            .isEqualTo(32_000L);
                    assertThat(out.path("stream").asBoolean())
                            .isEqualTo(body.path("stream").asBoolean());
                }
                mapped++;
            }
        }
        assertThat(mapped).as("Claude Code captures mapped").isGreaterThanOrEqualTo(2 * 15);
    }

    @Test
    void aToolTurnBecomesCallsThenOutputsWithErrorsImagesAndLongNames() throws Exception {
        ToolNames names = new ToolNames();
        JsonNode req = body("""
                {"model":"claude-sonnet-4-5","max_tokens":1,"stream":false,
                 "system":"Be brief.",
                 "messages":[
                  {"role":"user","content":"look"},
                  {"role":"assistant","content":[
                    {"type":"thinking","thinking":"hm","signature":"sig"},
                    {"type":"text","text":"Checking."},
                    {"type":"tool_use","id":"toolu_1","name":"%s","input":{"path":"/a"}},
                    {"type":"tool_use","id":"toolu_2","name":"Bash","input":{"command":"ls"}},
                    {"type":"tool_use","id":"toolu_3","name":"Bash","input":{"command":"pwd"}}]},
                  {"role":"user","content":[
                    {"type":"text","text":"here"},
                    {"type":"tool_result","tool_use_id":"toolu_1","content":[
                      {"type":"text","text":"one"},{"type":"text","text":"two"},
                      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA"}}]},
                    {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,"content":"no such dir"},
                    {"type":"tool_result","tool_use_id":"toolu_9","content":"orphan"}]},
                  {"role":"user","content":[
                    {"type":"image","source":{"type":"url","url":"https://x/y.png"}},
                    {"type":"document","title":"spec.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVB"}},
                    {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain doc"}}]}],
                 "tools":[{"name":"%s","description":"read","input_schema":{"type":"object"}},
                          {"name":"Bash","input_schema":{"type":"object"}},
                          {"type":"web_search_20250305","name":"web_search"}],
                 "tool_choice":{"type":"tool","name":"%s","disable_parallel_tool_use":true},
                 "stop_sequences":["END"],"temperature":0.2}
                """.formatted(LONG_TOOL, LONG_TOOL, LONG_TOOL));
        ObjectNode out = AnthropicToResponsesRequest.map(req, new ResponsesTarget("gpt-4.1", false, null), names);
        String shortName = names.shorten(LONG_TOOL);
        JsonNode input = out.path("input");
        assertCallsPaired(input, "tool turn");

        assertThat(out.path("instructions").asText()).isEqualTo("Be brief.");
        assertThat(input.get(1).path("content").get(0).path("text").asText())
                .as("thinking dropped")
                .isEqualTo("Checking.");
        assertThat(input.get(2).path("name").asText()).hasSize(64).isEqualTo(shortName);
        assertThat(json.readTree(input.get(2).path("arguments").asText())
                        .path("path")
                        .asText())
                .isEqualTo("/a");
        assertThat(input.get(5).path("call_id").asText()).isEqualTo("toolu_1");
        assertThat(input.get(5).path("output").asText()).isEqualTo("one\n\ntwo");
        assertThat(input.get(6).path("output").asText()).isEqualTo("[tool error] no such dir");
        assertThat(input.get(7).path("call_id").asText())
                .as("unanswered call closed")
                .isEqualTo("toolu_3");
        JsonNode user = input.get(8);
        assertThat(user.path("role").asText()).isEqualTo("user");
        assertThat(user.path("content").get(0).path("text").asText()).isEqualTo("here");
        assertThat(user.path("content").get(1).path("image_url").asText())
                .as("tool result image follows as user input")
                .isEqualTo("data:image/png;base64,AAA");
        assertThat(user.path("content").get(2).path("text").asText())
                .contains("toolu_9")
                .contains("orphan");
        JsonNode docs = input.get(9).path("content");
        assertThat(docs.get(0).path("image_url").asText()).isEqualTo("https://x/y.png");
        assertThat(docs.get(1).path("type").asText()).isEqualTo("input_file");
        assertThat(docs.get(1).path("filename").asText()).isEqualTo("spec.pdf");
        assertThat(docs.get(1).path("file_data").asText()).isEqualTo("data:application/pdf;base64,JVB");
        assertThat(docs.get(2).path("text").asText()).isEqualTo("plain doc");

        assertThat(out.path("tools")).hasSize(2);
        assertThat(out.path("tools").get(0).path("name").asText()).isEqualTo(shortName);
        assertThat(out.path("tool_choice").path("name").asText()).isEqualTo(shortName);
        assertThat(out.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(out.path("max_output_tokens").asLong())
                .as("raised to the API minimum")
                .isEqualTo(16);
        assertThat(out.path("temperature").asDouble())
                .as("gpt-4.1 keeps sampling")
                .isEqualTo(0.2);
        assertThat(out.has("reasoning")).as("not a reasoning model").isFalse();
        assertThat(out.has("stop")).as("Responses has no stop sequences").isFalse();
        assertThat(out.path("stream").asBoolean(true)).isFalse();
        assertThat(names.restore(shortName)).isEqualTo(LONG_TOOL);
    }

    @Test
    void thinkingChoicesAndTheCodexBackendRules() throws Exception {
        JsonNode enabled = body("""
                {"messages":[{"role":"user","content":"hi"}],"max_tokens":50000,"temperature":1,
                 "thinking":{"type":"enabled","budget_tokens":20000},
                 "tools":[{"name":"Read","input_schema":{"type":"object"}}],"tool_choice":{"type":"any"},
                 "metadata":{"user_id":"u1"},
                 "output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}}}
                """);
        ObjectNode api =
                AnthropicToResponsesRequest.map(enabled, new ResponsesTarget("o4-mini", false, null), new ToolNames());
        assertThat(api.path("reasoning").path("effort").asText()).isEqualTo("high");
        assertThat(api.path("reasoning").path("summary").asText()).isEqualTo("auto");
        assertThat(api.has("temperature")).isFalse();
        assertThat(api.has("instructions")).isFalse();
        assertThat(api.path("tool_choice").asText()).isEqualTo("required");
        assertThat(api.path("max_output_tokens").asLong()).isEqualTo(50000);
        assertThat(api.path("prompt_cache_key").asText()).isEqualTo("u1");
        assertThat(api.path("text").path("format").path("type").asText()).isEqualTo("json_schema");
        assertThat(api.path("text").path("format").path("name").asText()).isNotEmpty();

        ObjectNode codex =
                AnthropicToResponsesRequest.map(enabled, new ResponsesTarget("gpt-5.5", true, 1000L), new ToolNames());
        assertThat(codex.path("instructions").asText())
                .as("codex requires instructions")
                .isNotEmpty();
        assertThat(codex.path("stream").asBoolean()).isTrue();
        assertThat(codex.path("store").asBoolean(true)).isFalse();
        assertThat(codex.has("max_output_tokens")).isFalse();
        assertThat(codex.has("temperature")).isFalse();

        assertThat(AnthropicRequests.effort(body("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}")))
                .isEqualTo("low");
        assertThat(AnthropicRequests.effort(
                        body("{\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"max\"}}")))
                .isEqualTo("high");
        assertThat(AnthropicRequests.effort(body("{\"thinking\":{\"type\":\"disabled\"}}")))
                .isNull();
        assertThat(AnthropicToResponsesRequest.cacheKey("x".repeat(200)))
                .startsWith("u_")
                .hasSize(34);
        assertThat(ResponsesTarget.isReasoningModel("gpt-4o")).isFalse();
        assertThat(ResponsesTarget.isReasoningModel("openai/gpt-6.1-sol")).isTrue();
        assertThat(ResponsesTarget.isReasoningModel("o3")).isTrue();
    }

    @Test
    void malformedRequestsAreRejectedNamingTheField() throws Exception {
        assertThatThrownBy(() -> AnthropicToResponsesRequest.map(body("[]"), API, new ToolNames()))
                .isInstanceOf(GatewayException.class);
        assertThatThrownBy(() -> AnthropicToResponsesRequest.map(
                        body("{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}"), API, new ToolNames()))
                .hasMessageContaining("messages.0.role");
        assertThatThrownBy(() -> AnthropicToResponsesRequest.map(
                        body("{\"messages\":[],\"tools\":[{\"name\":\"a\"}],\"tool_choice\":{\"type\":\"some\"}}"),
                        API,
                        new ToolNames()))
                .hasMessageContaining("tool_choice.type");
        assertThatThrownBy(() -> new ResponsesTarget("m", false, 0L)).hasMessageContaining("maxOutputTokens: 0");
    }
}
