package io.relaygate.bench.mock;

import static io.relaygate.bench.mock.SseEvents.fixtureBody;
import static io.relaygate.bench.mock.SseEvents.parse;
import static io.relaygate.bench.mock.SseEvents.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.bench.mock.SseEvents.Ev;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code shell} scenario in all three formats, driven by real Claude Code and Codex requests from
 * {@code testdata/clients} with their last user text replaced by the directive.
 */
class MockShellTest {

    private static final String SCRATCH_OUTPUT = "hello from the scratch file";

    private static MockUpstream mock;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start(MockOptions.defaults());
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    @BeforeEach
    void reset() {
        mock.reset();
    }

    private static HttpResponse<String> post(String path, JsonNode body, String key) throws Exception {
        return MockResponsesTest.post(mock, path, body.toString(), key, "x-api-key", key);
    }

    /** A copy of {@code body} whose newest user text part (or string content) is {@code text}. */
    private static JsonNode withUserText(JsonNode body, String text) {
        ObjectNode copy = body.deepCopy();
        ArrayNode turns = (ArrayNode) (copy.has("messages") ? copy.get("messages") : copy.get("input"));
        for (int i = turns.size() - 1; i >= 0; i--) {
            ObjectNode turn = (ObjectNode) turns.get(i);
            if (!"user".equals(turn.path("role").asText())) {
                continue;
            }
            if (turn.path("content").isTextual()) {
                turn.put("content", text);
                return copy;
            }
            JsonNode content = turn.path("content");
            for (int j = content.size() - 1; j >= 0; j--) {
                String type = content.get(j).path("type").asText();
                if (type.equals("text") || type.equals("input_text")) {
                    ((ObjectNode) content.get(j)).put("text", text);
                    return copy;
                }
            }
        }
        throw new AssertionError("no user text in the fixture");
    }

    private static List<JsonNode> doneItems(String sse) {
        return parse(sse).stream()
                .filter(e -> e.type().equals("response.output_item.done"))
                .map(e -> e.data().path("item"))
                .toList();
    }

    private static String messageText(List<JsonNode> items) {
        assertThat(items).hasSize(1);
        assertThat(items.get(0).path("type").asText()).isEqualTo("message");
        return items.get(0).path("content").get(0).path("text").asText();
    }

    @Test
    void codexWithClassicToolsGetsOneExecCommandCall() throws Exception {
        JsonNode body = withUserText(fixtureBody("codex-0.169.0_exec_tooluse_gpt-5.5_turn1"), "run it mock:shell");
        HttpResponse<String> r = post("/v1/responses", body, "k");
        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonNode> items = doneItems(r.body());
        assertThat(items).as("exactly one call").hasSize(1);
        JsonNode call = items.get(0);
        assertThat(call.path("type").asText()).isEqualTo("function_call");
        assertThat(call.path("name").asText()).isEqualTo("exec_command");
        assertThat(tree(call.path("arguments").asText()))
                .isEqualTo(tree("{\"cmd\":\"echo " + ShellTool.MARKER + "\"}"));
        assertThat(mock.awaitCompleted(0, Duration.ofSeconds(5)).scenario()).isEqualTo("shell");
    }

    @Test
    void codexCodeModeGetsTheCustomExecToolWithJavaScriptItCanRun() throws Exception {
        JsonNode body = withUserText(fixtureBody("codex-0.169.0_exec_tooluse_codemode_turn1"), "mock:shell");
        List<JsonNode> items = doneItems(post("/v1/responses", body, "k").body());
        assertThat(items).hasSize(1);
        JsonNode call = items.get(0);
        assertThat(call.path("type").asText()).isEqualTo("custom_tool_call");
        assertThat(call.path("name").asText()).isEqualTo("exec");
        assertThat(call.path("input").asText())
                .as("the isolate has no console; nested tools and text() are what it offers")
                .contains("tools.exec_command(")
                .contains("text(")
                .contains(ShellTool.MARKER)
                .doesNotContain("console");
    }

    @Test
    void afterTheToolRanCodexGetsTextQuotingItsOutput() throws Exception {
        JsonNode classic = withUserText(fixtureBody("codex-0.169.0_exec_tooluse_gpt-5.5_turn2"), "mock:shell");
        String answer =
                messageText(doneItems(post("/v1/responses", classic, "k").body()));
        assertThat(answer).contains(SCRATCH_OUTPUT);

        // No directive at all: the credential picks the scenario; code mode's output is an array of input_text.
        JsonNode codeMode = fixtureBody("codex-0.169.0_exec_tooluse_codemode_turn2");
        String codeAnswer = messageText(
                doneItems(post("/v1/responses", codeMode, "mock-shell").body()));
        assertThat(codeAnswer).contains(SCRATCH_OUTPUT);
        assertThat(mock.awaitCompleted(1, Duration.ofSeconds(5)).scenario()).isEqualTo("shell");
    }

    @Test
    void anotherDirectiveBeforeToolResultsStillEndsTheLoopWithPlainText() throws Exception {
        JsonNode body = withUserText(fixtureBody("codex-0.169.0_exec_tooluse_gpt-5.5_turn2"), "mock:tool_use");
        String answer = messageText(doneItems(post("/v1/responses", body, "k").body()));
        assertThat(answer).doesNotContain(SCRATCH_OUTPUT);
        assertThat(mock.awaitCompleted(0, Duration.ofSeconds(5)).scenario()).isEqualTo("text");
    }

    @Test
    void claudeCodeGetsOneBashToolUseThenTextWithTheResult() throws Exception {
        JsonNode turn1 = withUserText(fixtureBody("claude-code-2.1.330_interactive_tooluse_bash_turn1"), "mock:shell");
        List<Ev> ev = parse(post("/v1/messages?beta=true", turn1, "k").body());
        List<Ev> starts =
                ev.stream().filter(e -> e.name().equals("content_block_start")).toList();
        assertThat(starts).as("exactly one block, the call").hasSize(1);
        JsonNode block = starts.get(0).data().path("content_block");
        assertThat(block.path("type").asText()).isEqualTo("tool_use");
        assertThat(block.path("name").asText()).isEqualTo("Bash");
        StringBuilder input = new StringBuilder();
        ev.stream()
                .filter(e -> e.name().equals("content_block_delta"))
                .forEach(e ->
                        input.append(e.data().path("delta").path("partial_json").asText()));
        assertThat(tree(input.toString()))
                .isEqualTo(tree("{\"command\":\"echo " + ShellTool.MARKER + "\",\"description\":\"Print a marker\"}"));
        assertThat(ev.stream()
                        .filter(e -> e.name().equals("message_delta"))
                        .findFirst()
                        .orElseThrow()
                        .data()
                        .path("delta")
                        .path("stop_reason")
                        .asText())
                .isEqualTo("tool_use");

        JsonNode turn2 = withUserText(fixtureBody("claude-code-2.1.330_interactive_tooluse_bash_turn2"), "mock:shell");
        StringBuilder text = new StringBuilder();
        parse(post("/v1/messages?beta=true", turn2, "k").body()).stream()
                .filter(e -> e.name().equals("content_block_delta"))
                .forEach(e -> text.append(e.data().path("delta").path("text").asText()));
        assertThat(text.toString()).contains(SCRATCH_OUTPUT);
    }

    @Test
    void anAnthropicExecToolConvertedFromCodexGetsTheScriptAsItsInputField() throws Exception {
        JsonNode body = tree("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"tools\":["
                + "{\"name\":\"wait\",\"input_schema\":{\"type\":\"object\"}},"
                + "{\"name\":\"exec\",\"input_schema\":{\"type\":\"object\","
                + "\"properties\":{\"input\":{\"type\":\"string\"}}}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"mock:shell\"}]}");
        JsonNode msg = tree(post("/v1/messages", body, "k").body());
        JsonNode use = msg.path("content").get(0);
        assertThat(use.path("type").asText()).isEqualTo("tool_use");
        assertThat(use.path("name").asText()).isEqualTo("exec");
        assertThat(use.path("input").path("input").asText()).isEqualTo(ShellTool.EXEC_SCRIPT);
        assertThat(msg.path("stop_reason").asText()).isEqualTo("tool_use");
    }

    private static JsonNode chat(String tools, String extraMessages) {
        return tree("{\"model\":\"gpt-4o-mini\",\"tools\":[" + tools + "],\"messages\":["
                + "{\"role\":\"user\",\"content\":\"mock:shell\"}" + extraMessages + "]}");
    }

    private static String chatTool(String name) {
        return "{\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"parameters\":{\"type\":\"object\"}}}";
    }

    private static JsonNode chatMessage(JsonNode body) throws Exception {
        return tree(post("/v1/chat/completions", body, "k").body())
                .path("choices")
                .get(0)
                .path("message");
    }

    @Test
    void chatPicksTheShellToolByPriorityOrElseTheFirstTool() throws Exception {
        JsonNode call = chatMessage(
                        chat(chatTool("read_file") + "," + chatTool("shell") + "," + chatTool("exec_command"), ""))
                .path("tool_calls");
        assertThat(call).hasSize(1);
        assertThat(call.get(0).path("function").path("name").asText()).isEqualTo("exec_command");

        call = chatMessage(chat(chatTool("read_file") + "," + chatTool("shell"), ""))
                .path("tool_calls");
        assertThat(call.get(0).path("function").path("name").asText()).isEqualTo("shell");
        assertThat(tree(call.get(0).path("function").path("arguments").asText()))
                .isEqualTo(tree("{\"command\":[\"echo\",\"" + ShellTool.MARKER + "\"]}"));

        call = chatMessage(chat(chatTool("lookup"), "")).path("tool_calls");
        assertThat(call.get(0).path("function").path("name").asText()).isEqualTo("lookup");
        assertThat(call.get(0).path("function").path("arguments").asText()).isEqualTo("{}");

        JsonNode none = chatMessage(chat("", ""));
        assertThat(none.path("tool_calls").isMissingNode()).isTrue();
        assertThat(none.path("content").asText()).doesNotContain(ShellTool.MARKER);
    }

    @Test
    void chatToolResultsAreQuotedUpTo200Characters() throws Exception {
        String output = ShellTool.MARKER + "\n" + "a".repeat(300);
        JsonNode body = chat(
                chatTool("exec_command"),
                ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"exec_command\",\"arguments\":\"{}\"}}]},"
                        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"" + output.replace("\n", "\\n")
                        + "\"}");
        JsonNode msg = chatMessage(body);
        assertThat(msg.path("tool_calls").isMissingNode()).isTrue();
        assertThat(msg.path("content").asText())
                .contains(ShellTool.MARKER)
                .endsWith(output.substring(0, ShellTool.QUOTED_CHARS))
                .doesNotContain(output.substring(0, ShellTool.QUOTED_CHARS + 1));
    }

    @Test
    void responsesPrefersBashOverExecCommandAndReadsNamespaces() throws Exception {
        JsonNode both = tree("{\"model\":\"gpt-5.5\",\"tools\":["
                + "{\"type\":\"web_search\"},"
                + "{\"type\":\"function\",\"name\":\"exec_command\",\"parameters\":{}},"
                + "{\"type\":\"namespace\",\"name\":\"functions\","
                + "\"tools\":[{\"type\":\"function\",\"name\":\"Bash\"}]}],"
                + "\"input\":\"mock:shell\"}");
        JsonNode out = tree(post("/v1/responses", both, "k").body()).path("output");
        assertThat(out).hasSize(1);
        assertThat(out.get(0).path("name").asText()).isEqualTo("Bash");
        assertThat(tree(out.get(0).path("arguments").asText()).path("command").asText())
                .isEqualTo("echo " + ShellTool.MARKER);
    }
}
