package io.relaygate.codec.responses.inbound;

import static io.relaygate.codec.responses.inbound.ResponsesStreams.events;
import static io.relaygate.codec.responses.inbound.ResponsesStreams.fixture;
import static io.relaygate.codec.responses.inbound.ResponsesStreams.types;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.codec.responses.inbound.ResponsesStreams.Event;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AnthropicToResponsesStreamTest {

    private static final String TEXT = "Hi! This answer came from the capture server.";

    static Stream<Path> anthropicStreams() {
        return ClientFixtures.sseFiles().stream()
                .filter(p -> p.getFileName().toString().startsWith("claude-code-"));
    }

    /**
     * What Codex needs of any stream (fixtures README section 4): numbered events, created and in_progress first,
     * every item added and done, done items carrying the whole text / arguments, one terminal event with integer usage.
     */
    @ParameterizedTest
    @MethodSource("anthropicStreams")
    void everyCapturedAnthropicStreamBecomesAWellFormedResponsesStream(Path file) {
        List<Event> ev = events(ClientFixtures.read(file), new ResponsesTools());

        for (int i = 0; i < ev.size(); i++) {
            assertThat(ev.get(i).data().path("sequence_number").asInt(-1))
                    .as("sequence_number of event %d", i)
                    .isEqualTo(i);
            assertThat(ev.get(i).name())
                    .as("event name is the data type")
                    .isEqualTo(ev.get(i).type());
        }
        assertThat(types(ev).subList(0, 2)).containsExactly("response.created", "response.in_progress");
        Event last = ev.get(ev.size() - 1);
        assertThat(last.type()).isIn("response.completed", "response.failed");
        assertThat(types(ev).stream().filter(t -> t.equals("response.completed") || t.equals("response.failed")))
                .as("exactly one terminal event")
                .hasSize(1);
        JsonNode response = last.data().path("response");
        assertThat(response.path("id").asText()).startsWith("resp_");
        assertThat(response.path("model").asText()).isEqualTo("gpt-5.5");
        if (last.type().equals("response.completed")) {
            JsonNode u = response.path("usage");
            for (String f : List.of("input_tokens", "output_tokens", "total_tokens")) {
                assertThat(u.path(f).isIntegralNumber())
                        .as("usage.%s is an integer", f)
                        .isTrue();
            }
            assertThat(u.path("input_tokens_details").path("cached_tokens").isIntegralNumber())
                    .isTrue();
            assertThat(u.path("output_tokens_details").path("reasoning_tokens").isIntegralNumber())
                    .isTrue();
            assertThat(u.path("total_tokens").asLong())
                    .isEqualTo(u.path("input_tokens").asLong()
                            + u.path("output_tokens").asLong());
        }

        Map<Integer, JsonNode> added = new HashMap<>();
        Map<Integer, StringBuilder> deltas = new HashMap<>();
        List<JsonNode> done = new ArrayList<>();
        for (Event e : ev) {
            JsonNode d = e.data();
            int index = d.path("output_index").asInt(-1);
            switch (e.type()) {
                case "response.output_item.added" -> {
                    assertThat(index).as("output indices are dense").isEqualTo(added.size());
                    added.put(index, d.path("item"));
                    deltas.put(index, new StringBuilder());
                }
                case "response.output_text.delta",
                        "response.function_call_arguments.delta",
                        "response.custom_tool_call_input.delta",
                        "response.reasoning_summary_text.delta" -> {
                    assertThat(added).as("delta after its item was added").containsKey(index);
                    assertThat(d.path("item_id").asText())
                            .isEqualTo(added.get(index).path("id").asText());
                    deltas.get(index).append(d.path("delta").asText());
                }
                case "response.output_item.done" -> {
                    JsonNode item = d.path("item");
                    assertThat(item.path("id").asText())
                            .isEqualTo(added.get(index).path("id").asText());
                    String whole =
                            switch (item.path("type").asText()) {
                                case "message" ->
                                    item.path("content").path(0).path("text").asText();
                                case "function_call" -> item.path("arguments").asText();
                                case "custom_tool_call" -> item.path("input").asText();
                                default ->
                                    item.path("summary").path(0).path("text").asText("");
                            };
                    if (!item.path("type").asText().equals("function_call")
                            || deltas.get(index).length() > 0) {
                        assertThat(whole)
                                .as("done item carries all deltas")
                                .isEqualTo(deltas.get(index).toString());
                    }
                    done.add(item);
                }
                default -> {}
            }
        }
        assertThat(done).as("every added item is done").hasSize(added.size());
        if (last.type().equals("response.completed")) {
            assertThat(response.path("output")).containsExactlyElementsOf(done);
        }
    }

    @Test
    void textStreamHasCodexsEventSequenceAndUsage() {
        List<Event> ev = events(fixture("claude-code-2.1.330_text_stream.sse"), new ResponsesTools());
        List<Event> codex =
                ResponsesStreams.parse(new String(fixture("codex-0.169.0_text_stream.sse"), StandardCharsets.UTF_8));

        assertThat(types(ev)).as("same events as the stream Codex accepted").isEqualTo(types(codex));
        JsonNode done = ev.get(ev.size() - 2).data().path("item");
        assertThat(done.path("type").asText()).isEqualTo("message");
        assertThat(done.path("role").asText()).isEqualTo("assistant");
        assertThat(done.path("content").path(0).path("text").asText()).isEqualTo(TEXT);
        JsonNode completed = ev.get(ev.size() - 1).data().path("response");
        assertThat(completed.path("status").asText()).isEqualTo("completed");
        assertThat(completed.path("usage").path("input_tokens").asLong()).isEqualTo(42);
        assertThat(completed.path("usage").path("output_tokens").asLong()).isEqualTo(12);
        assertThat(completed.path("usage").path("total_tokens").asLong()).isEqualTo(54);
    }

    @Test
    void thinkingTextAndToolUseBecomeReasoningMessageAndFunctionCall() {
        List<Event> ev = events(fixture("claude-code-2.1.330_thinking_tool_use_stream.sse"), new ResponsesTools());
        JsonNode output = ev.get(ev.size() - 1).data().path("response").path("output");

        assertThat(output).hasSize(3);
        JsonNode reasoning = output.get(0);
        assertThat(reasoning.path("type").asText()).isEqualTo("reasoning");
        assertThat(reasoning.path("summary").path(0).path("text").asText())
                .isEqualTo("The user wants something simple; answer briefly.");
        assertThat(reasoning.path("encrypted_content").asText())
                .as("signature kept for the next request")
                .isEqualTo(OutputItems.THINKING_MARK + "EsgBCkYIBxgCKkBcapture9d80dbaa75b444ae9c367c808f5427a8");
        assertThat(output.get(1).path("content").path(0).path("text").asText()).isEqualTo("Let me read that file.");
        JsonNode call = output.get(2);
        assertThat(call.path("type").asText()).isEqualTo("function_call");
        assertThat(call.path("id").asText()).startsWith("fc_");
        assertThat(call.path("call_id").asText()).isEqualTo("toolu_76577b1f756449fa9a6a9f8f");
        assertThat(call.path("name").asText()).isEqualTo("Read");
        assertThat(call.path("arguments").asText()).isEqualTo("{\"file_path\": \"/SCRATCH/work/hello.txt\"}");
        assertThat(types(ev))
                .as("reasoning events in the order of codex-0.169.0_reasoning_function_call_stream.sse")
                .containsSubsequence(
                        "response.output_item.added",
                        "response.reasoning_summary_part.added",
                        "response.reasoning_summary_text.delta",
                        "response.reasoning_summary_text.done",
                        "response.reasoning_summary_part.done",
                        "response.output_item.done",
                        "response.output_item.added",
                        "response.function_call_arguments.delta",
                        "response.function_call_arguments.done",
                        "response.output_item.done",
                        "response.completed");
    }

    @Test
    void customToolUseBecomesCustomToolCallWithTheRawInput() {
        ResponsesTools tools = new ResponsesTools();
        String upstream = tools.register("apply_patch", null, true);
        String patch = "*** Begin Patch\n*** Add File: a.txt\n+hi \u00e9\n*** End Patch\n";
        String json =
                ResponsesStreams.JSON.createObjectNode().put("input", patch).toString();
        String sse = anthropic(
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":"
                        + "\"toolu_1\",\"name\":\"" + upstream + "\",\"input\":{}}}",
                delta(0, json.substring(0, 11)),
                delta(0, json.substring(11)),
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}",
                "{\"type\":\"message_stop\"}");
        List<Event> ev = events(sse.getBytes(StandardCharsets.UTF_8), tools);

        assertThat(types(ev))
                .as("event names of codex-0.169.0_custom_tool_call_stream.sse")
                .containsExactly(
                        "response.created",
                        "response.in_progress",
                        "response.output_item.added",
                        "response.custom_tool_call_input.delta",
                        "response.custom_tool_call_input.done",
                        "response.output_item.done",
                        "response.completed");
        JsonNode item = ev.get(5).data().path("item");
        assertThat(item.path("type").asText()).isEqualTo("custom_tool_call");
        assertThat(item.path("id").asText()).startsWith("ctc_");
        assertThat(item.path("name").asText()).isEqualTo("apply_patch");
        assertThat(item.path("call_id").asText()).isEqualTo("toolu_1");
        assertThat(item.path("input").asText()).isEqualTo(patch);
        assertThat(ev.get(4).data().path("input").asText()).isEqualTo(patch);
    }

    @Test
    void namespacedAndRenamedToolsAreRestored() {
        ResponsesTools tools = new ResponsesTools();
        String sleep = tools.register("sleep", "clock", false);
        String dotted = tools.register("mcp.server.read", null, false);
        String sse = anthropic(
                toolStart(0, "toolu_a", sleep),
                delta(0, "{\"duration_ms\":5}"),
                "{\"type\":\"content_block_stop\",\"index\":0}",
                toolStart(1, "toolu_b", dotted),
                "{\"type\":\"content_block_stop\",\"index\":1}",
                "{\"type\":\"message_stop\"}");
        JsonNode output = last(events(sse.getBytes(StandardCharsets.UTF_8), tools));

        assertThat(output.get(0).path("name").asText()).isEqualTo("sleep");
        assertThat(output.get(0).path("namespace").asText()).isEqualTo("clock");
        assertThat(output.get(1).path("name").asText()).isEqualTo("mcp.server.read");
        assertThat(output.get(1).has("namespace")).isFalse();
        assertThat(output.get(1).path("arguments").asText())
                .as("no input at all is {}")
                .isEqualTo("{}");
    }

    @Test
    void outputIsIdenticalAtEverySplit() {
        byte[] in = fixture("claude-code-2.1.330_thinking_tool_use_stream.sse");
        String expected = ResponsesStreams.transcode(in, in.length, new ResponsesTools());
        for (int split = 0; split <= in.length; split++) {
            assertThat(ResponsesStreams.transcode(in, split, new ResponsesTools()))
                    .as("split at %d", split)
                    .isEqualTo(expected);
        }
    }

    @Test
    void anthropicErrorEventBecomesResponseFailedAndEndsTheStream() {
        String sse = anthropic(
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}")
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
                + "\"Overloaded\"}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AnthropicToResponsesStream t = new AnthropicToResponsesStream(
                "gpt-5.5", new ResponsesTools(), out::writeBytes, ResponsesStreams.FIXED);
        ResponsesStreams.feed(sse.getBytes(StandardCharsets.UTF_8), 10, t);
        List<Event> ev = ResponsesStreams.parse(out.toString(StandardCharsets.UTF_8));

        Event last = ev.get(ev.size() - 1);
        assertThat(last.type()).isEqualTo("response.failed");
        assertThat(types(ev)).as("nothing after the failure, not even finish()").doesNotContain("response.completed");
        JsonNode response = last.data().path("response");
        assertThat(response.path("status").asText()).isEqualTo("failed");
        assertThat(response.path("error").path("code").asText()).isEqualTo("server_is_overloaded");
        assertThat(response.path("error").path("message").asText()).isEqualTo("Overloaded");
        assertThat(last.data().path("sequence_number").asInt()).isEqualTo(ev.size() - 1);
        assertThat(t.done()).isTrue();
    }

    @Test
    void failMidStreamBecomesResponseFailed() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AnthropicToResponsesStream t = new AnthropicToResponsesStream(
                "gpt-5.5", new ResponsesTools(), out::writeBytes, ResponsesStreams.FIXED);
        byte[] in = fixture("variants/claude-code-2.1.330_sse_cut_after_delta.sse");
        ResponsesStreams.feedUnfinished(in, t);
        t.fail("upstream reset");
        t.finish();
        List<Event> ev = ResponsesStreams.parse(out.toString(StandardCharsets.UTF_8));

        assertThat(ev.get(ev.size() - 1).type()).isEqualTo("response.failed");
        assertThat(ev.get(ev.size() - 1)
                        .data()
                        .path("response")
                        .path("error")
                        .path("code")
                        .asText())
                .isEqualTo("server_error");
        assertThat(types(ev)).doesNotContain("response.completed");
    }

    @Test
    void maxTokensStopIsIncomplete() {
        String sse = anthropic(
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"cut\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":3}}",
                "{\"type\":\"message_stop\"}");
        JsonNode response = events(sse.getBytes(StandardCharsets.UTF_8), new ResponsesTools())
                .get(8)
                .data()
                .path("response");

        assertThat(response.path("status").asText()).isEqualTo("incomplete");
        assertThat(response.path("incomplete_details").path("reason").asText()).isEqualTo("max_output_tokens");
    }

    @Test
    void usageCountsCacheTokensAsInputAndReportsAnthropicTerms() {
        String sse = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_u\",\"usage\":"
                + "{\"input_tokens\":10,\"cache_creation_input_tokens\":20,\"cache_read_input_tokens\":300,"
                + "\"output_tokens\":1}}}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                + "\"usage\":{\"output_tokens\":7}}\n\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AnthropicToResponsesStream t = new AnthropicToResponsesStream(
                "gpt-5.5", new ResponsesTools(), out::writeBytes, ResponsesStreams.FIXED);
        ResponsesStreams.feed(sse.getBytes(StandardCharsets.UTF_8), 3, t);
        List<Event> ev = ResponsesStreams.parse(out.toString(StandardCharsets.UTF_8));
        JsonNode usage = ev.get(ev.size() - 1).data().path("response").path("usage");

        assertThat(t.usage()).isEqualTo(new Usage(10, 7, 20, 300));
        assertThat(usage.path("input_tokens").asLong()).isEqualTo(330);
        assertThat(usage.path("input_tokens_details").path("cached_tokens").asLong())
                .isEqualTo(300);
        assertThat(usage.path("output_tokens").asLong()).isEqualTo(7);
        assertThat(usage.path("total_tokens").asLong()).isEqualTo(337);
        assertThat(ev.get(ev.size() - 1).data().path("response").path("id").asText())
                .isEqualTo("resp_u");
    }

    @Test
    void deltasWithoutBlockStartStillProduceADoneMessage() {
        List<Event> ev = events(fixture("variants/claude-code-2.1.330_sse_no_block_start.sse"), new ResponsesTools());
        JsonNode output = last(ev);

        assertThat(output).hasSize(1);
        assertThat(output.get(0).path("content").path(0).path("text").asText()).isEqualTo(TEXT);
    }

    private static JsonNode last(List<Event> ev) {
        return ev.get(ev.size() - 1).data().path("response").path("output");
    }

    private static String toolStart(int index, String id, String name) {
        return "{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":{\"type\":\"tool_use\","
                + "\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"input\":{}}}";
    }

    private static String delta(int index, String partialJson) {
        return "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
                + ResponsesStreams.JSON.getNodeFactory().textNode(partialJson) + "}}";
    }

    /** An Anthropic stream: message_start then the given event data, each named after its type. */
    private static String anthropic(String... data) {
        StringBuilder sb = new StringBuilder("event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
                + "{\"id\":\"msg_t\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n");
        for (String d : data) {
            String type;
            try {
                type = ResponsesStreams.JSON.readTree(d).path("type").asText();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sb.append("event: ").append(type).append("\ndata: ").append(d).append("\n\n");
        }
        return sb.toString();
    }
}
