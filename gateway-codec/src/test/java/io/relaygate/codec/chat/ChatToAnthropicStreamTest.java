package io.relaygate.codec.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.core.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatToAnthropicStreamTest {

    private static final String LONG_TOOL = "mcp__files__" + "r".repeat(70);

    private final ObjectMapper json = new ObjectMapper();

    private static String chunk(String delta, String finish) {
        return "data: {\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{"
                + "\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
    }

    /** reasoning, text, two tool calls with arguments split over chunks, finish, usage chunk, [DONE]. */
    private static String upstream(String longToolShort) {
        return chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null")
                + chunk("{\"reasoning_content\":\"Let me \"}", "null")
                + chunk("{\"reasoning_content\":\"think.\"}", "null")
                + chunk("{\"content\":\"Checking \u00e9 \"}", "null")
                + chunk("{\"content\":\"files.\"}", "null")
                + chunk(
                        "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\""
                                + longToolShort + "\",\"arguments\":\"\"}}]}",
                        "null")
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"pa\"}}]}", "null")
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"th\\\": \\\"/a\\\"}\"}}]}", "null")
                + chunk(
                        "{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":"
                                + "\"Bash\",\"arguments\":\"{\\\"command\\\":\"}}]}",
                        "null")
                + chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"\\\"ls\\\"}\"}}]}", "null")
                + chunk("{}", "\"tool_calls\"")
                + "data: {\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                + "{\"prompt_tokens\":300,\"completion_tokens\":42,\"total_tokens\":342,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":200}}}\n\n"
                + "data: [DONE]\n\n";
    }

    record Out(String bytes, Usage usage) {}

    private Out transcode(byte[] in, int split, ToolNames names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChatToAnthropicStream t =
                new ChatToAnthropicStream("claude-sonnet-4-5", names, new AnthropicEventWriter(out::writeBytes));
        Transcripts.feed(in, split, t);
        return new Out(out.toString(StandardCharsets.UTF_8), t.usage());
    }

    private Out transcodeWhole(String in, ToolNames names) {
        byte[] bytes = in.getBytes(StandardCharsets.UTF_8);
        return transcode(bytes, bytes.length, names);
    }

    private List<JsonNode> events(String sse, List<String> names) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            String[] lines = block.split("\n");
            names.add(lines[0].substring("event: ".length()));
            out.add(json.readTree(lines[1].substring("data: ".length())));
        }
        return out;
    }

    @Test
    void chatChunksBecomeTheExactAnthropicEventSequence() throws Exception {
        ToolNames names = new ToolNames();
        String shortName = names.shorten(LONG_TOOL);
        byte[] in = upstream(shortName).getBytes(StandardCharsets.UTF_8);
        Out out = transcode(in, in.length, names);
        List<String> kinds = new ArrayList<>();
        List<JsonNode> ev = events(out.bytes(), kinds);

        assertThat(kinds.get(0)).isEqualTo("message_start");
        assertThat(ev.get(0).path("message").path("model").asText())
                .as("client sees its model")
                .isEqualTo("claude-sonnet-4-5");
        assertThat(kinds.subList(kinds.size() - 2, kinds.size())).containsExactly("message_delta", "message_stop");

        // Blocks: thinking 0, text 1, tool 2, tool 3 — each start ... stop, dense indices.
        List<JsonNode> starts = new ArrayList<>();
        for (int i = 0; i < ev.size(); i++) {
            if (kinds.get(i).equals("content_block_start")) {
                starts.add(ev.get(i));
            }
        }
        assertThat(starts).extracting(s -> s.path("index").asInt()).containsExactly(0, 1, 2, 3);
        assertThat(starts)
                .extracting(s -> s.path("content_block").path("type").asText())
                .containsExactly("thinking", "text", "tool_use", "tool_use");
        assertThat(starts.get(2).path("content_block").path("name").asText())
                .as("long name restored")
                .isEqualTo(LONG_TOOL);
        assertThat(starts.get(2).path("content_block").path("id").asText()).isEqualTo("call_1");

        StringBuilder[] inputs = {new StringBuilder(), new StringBuilder()};
        StringBuilder text = new StringBuilder();
        int open = -1;
        for (int i = 0; i < ev.size(); i++) {
            JsonNode e = ev.get(i);
            switch (kinds.get(i)) {
                case "content_block_start" -> {
                    assertThat(open).as("blocks do not overlap").isEqualTo(-1);
                    open = e.path("index").asInt();
                }
                case "content_block_stop" -> {
                    assertThat(e.path("index").asInt()).isEqualTo(open);
                    open = -1;
                }
                case "content_block_delta" -> {
                    assertThat(e.path("index").asInt()).isEqualTo(open);
                    JsonNode d = e.path("delta");
                    if (d.path("type").asText().equals("input_json_delta")) {
                        inputs[open - 2].append(d.path("partial_json").asText());
                    } else if (d.path("type").asText().equals("text_delta")) {
                        text.append(d.path("text").asText());
                    }
                }
                default -> {}
            }
        }
        assertThat(text.toString()).isEqualTo("Checking \u00e9 files.");
        assertThat(json.readTree(inputs[0].toString()).path("path").asText()).isEqualTo("/a");
        assertThat(json.readTree(inputs[1].toString()).path("command").asText()).isEqualTo("ls");

        JsonNode delta = ev.get(ev.size() - 2);
        assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(delta.path("usage").path("input_tokens").asLong())
                .as("prompt minus cached")
                .isEqualTo(100);
        assertThat(delta.path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(200);
        assertThat(delta.path("usage").path("output_tokens").asLong()).isEqualTo(42);
        assertThat(out.usage()).isEqualTo(new Usage(100, 42, 0, 200));
    }

    @Test
    void outputIsTheSameWhereverTheInputIsSplit() {
        ToolNames names = new ToolNames();
        byte[] in = upstream(names.shorten(LONG_TOOL)).getBytes(StandardCharsets.UTF_8);
        String whole = transcode(in, in.length, names).bytes();
        for (int split = 0; split < in.length; split++) {
            assertThat(transcode(in, split, names).bytes())
                    .as("split at %d", split)
                    .isEqualTo(whole);
        }
    }

    @Test
    void missingUsageAndFinishStillEndWellFormedAndErrorsBecomeErrorEvents() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChatToAnthropicStream t = new ChatToAnthropicStream(
                "claude-haiku-4-5", new ToolNames(), new AnthropicEventWriter(out::writeBytes));
        byte[] c = ("{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}")
                .getBytes(StandardCharsets.UTF_8);
        t.onEvent("", c, 0, c.length);
        t.finish();
        List<String> kinds = new ArrayList<>();
        List<JsonNode> ev = events(out.toString(StandardCharsets.UTF_8), kinds);
        assertThat(kinds)
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        assertThat(ev.get(4).path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(t.usage().outputTokens()).as("estimated from deltas").isEqualTo(1);

        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        ChatToAnthropicStream failing =
                new ChatToAnthropicStream("m", new ToolNames(), new AnthropicEventWriter(out2::writeBytes));
        failing.onEvent("", c, 0, c.length);
        failing.fail("upstream connection reset");
        failing.finish();
        String s = out2.toString(StandardCharsets.UTF_8);
        assertThat(s)
                .endsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                        + "\"message\":\"upstream connection reset\"}}\n\n");
        assertThat(ChatToAnthropicStream.stopReason("length")).isEqualTo("max_tokens");
    }

    /** Three calls opened in one chunk, then their argument fragments interleaved: index 1, 0, 2, 1, 0, 2. */
    private static String interleaved() {
        return chunk(
                        "{\"role\":\"assistant\",\"tool_calls\":["
                                + "{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"Read\",\"arguments\":\"\"}},"
                                + "{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"Grep\",\"arguments\":\"\"}},"
                                + "{\"index\":2,\"id\":\"call_c\",\"type\":\"function\",\"function\":{\"name\":\"Bash\",\"arguments\":\"\"}}]}",
                        "null")
                + chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"pattern\\\":\"}}]}", "null")
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"path\\\":\"}}]}", "null")
                + chunk("{\"tool_calls\":[{\"index\":2,\"function\":{\"arguments\":\"{\\\"command\\\":\"}}]}", "null")
                + chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"\\\"x}\\\"}\"}}]}", "null")
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"/a\\\"}\"}}]}", "null")
                + chunk("{\"tool_calls\":[{\"index\":2,\"function\":{\"arguments\":\"\\\"ls\\\"}\"}}]}", "null")
                + chunk("{}", "\"tool_calls\"")
                + "data: [DONE]\n\n";
    }

    @Test
    void interleavedToolCallsEachBecomeOneCompleteToolUse() throws Exception {
        byte[] in = interleaved().getBytes(StandardCharsets.UTF_8);
        String whole = transcode(in, in.length, new ToolNames()).bytes();
        List<String> kinds = new ArrayList<>();
        List<JsonNode> ev = events(whole, kinds);

        java.util.Map<Integer, String> names = new java.util.TreeMap<>();
        java.util.Map<Integer, StringBuilder> inputs = new java.util.TreeMap<>();
        int open = -1;
        for (JsonNode e : ev) {
            switch (e.path("type").asText()) {
                case "content_block_start" -> {
                    assertThat(open).as("one block open at a time").isEqualTo(-1);
                    open = e.path("index").asInt();
                    names.put(open, e.path("content_block").path("name").asText());
                    inputs.put(open, new StringBuilder());
                }
                case "content_block_delta" -> {
                    assertThat(e.path("index").asInt())
                            .as("deltas go to the open block")
                            .isEqualTo(open);
                    inputs.get(open).append(e.path("delta").path("partial_json").asText());
                }
                case "content_block_stop" -> open = -1;
                default -> {}
            }
        }
        assertThat(names).as("every call has its name, dense indices").containsOnlyKeys(0, 1, 2);
        assertThat(names.values()).containsExactlyInAnyOrder("Read", "Grep", "Bash");
        java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
        for (int i = 0; i < 3; i++) {
            byName.put(names.get(i), json.readTree(inputs.get(i).toString()));
        }
        assertThat(byName.get("Read").path("path").asText()).isEqualTo("/a");
        assertThat(byName.get("Grep").path("pattern").asText())
                .as("a brace inside a string")
                .isEqualTo("x}");
        assertThat(byName.get("Bash").path("command").asText()).isEqualTo("ls");
        assertThat(kinds.get(kinds.size() - 1)).isEqualTo("message_stop");
        for (int split = 0; split < in.length; split++) {
            assertThat(transcode(in, split, new ToolNames()).bytes())
                    .as("split at %d", split)
                    .isEqualTo(whole);
        }
    }

    @Test
    void sequentialToolCallsStillStreamFragmentByFragment() throws Exception {
        ToolNames names = new ToolNames();
        String sse = transcodeWhole(upstream(names.shorten(LONG_TOOL)), names).bytes();
        assertThat(sse)
                .as("the first call's fragments are not held")
                .contains("\"partial_json\":\"{\\\"pa\"")
                .contains("\"partial_json\":\"th\\\": \\\"/a\\\"}\"");
    }
}
