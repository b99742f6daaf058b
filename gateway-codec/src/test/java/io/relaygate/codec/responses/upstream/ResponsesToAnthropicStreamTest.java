package io.relaygate.codec.responses.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.responses.upstream.AnthropicSse.Block;
import io.relaygate.codec.responses.upstream.AnthropicSse.Message;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ResponsesToAnthropicStreamTest {

    private static final String CLIENT_MODEL = "claude-opus-5-5";
    private static final String LONG_TOOL = "mcp__workspace_files__" + "read_".repeat(14);

    record Out(String sse, Usage usage) {}

    private static Out transcode(byte[] in, int split, ToolNames names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResponsesToAnthropicStream t =
                new ResponsesToAnthropicStream(CLIENT_MODEL, names, new AnthropicEventWriter(out::writeBytes));
        AnthropicSse.feed(in, split, t);
        assertThat(t.done()).isTrue();
        return new Out(out.toString(StandardCharsets.UTF_8), t.usage());
    }

    private static List<Path> codexStreams() {
        List<Path> files = ClientFixtures.sseFiles().stream()
                .filter(p -> p.getFileName().toString().startsWith("codex-"))
                .collect(Collectors.toList());
        assertThat(files).as("Codex captures and variants").hasSizeGreaterThan(20);
        return files;
    }

    /** What a fixture says, read independently of the transcoder. */
    record Expected(String text, String thinking, List<String> toolIds, Usage usage, boolean failed) {}

    private static Expected expected(byte[] sse) {
        StringBuilder deltas = new StringBuilder();
        StringBuilder doneText = new StringBuilder();
        StringBuilder completedText = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        Set<String> tools = new LinkedHashSet<>();
        Usage usage = null;
        boolean failed = false;
        for (String line : new String(sse, StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            JsonNode e = AnthropicSse.read(line.substring(6));
            JsonNode item = e.path("item");
            switch (e.path("type").asText()) {
                case "response.output_text.delta" ->
                    deltas.append(e.path("delta").asText());
                case "response.reasoning_summary_text.delta" ->
                    thinking.append(e.path("delta").asText());
                case "response.output_item.added", "response.output_item.done" -> {
                    if (item.has("call_id")) {
                        tools.add(item.path("call_id").asText());
                    }
                    if (e.path("type").asText().endsWith("done")
                            && item.path("type").asText().equals("message")) {
                        item.path("content")
                                .forEach(p -> doneText.append(p.path("text").asText()));
                    }
                }
                case "response.completed" -> {
                    JsonNode u = e.path("response").path("usage");
                    if (u.isObject()) {
                        long in = u.path("input_tokens").asLong(0);
                        long cached = u.path("input_tokens_details")
                                .path("cached_tokens")
                                .asLong(0);
                        usage = new Usage(in - cached, u.path("output_tokens").asLong(0), 0, cached);
                    }
                    for (JsonNode o : e.path("response").path("output")) {
                        if (o.path("type").asText().equals("message")) {
                            o.path("content")
                                    .forEach(p ->
                                            completedText.append(p.path("text").asText()));
                        }
                    }
                }
                case "response.failed" -> failed = true;
                default -> {}
            }
        }
        String text = deltas.length() > 0
                ? deltas.toString()
                : doneText.length() > 0 ? doneText.toString() : completedText.toString();
        return new Expected(text, thinking.toString(), new ArrayList<>(tools), usage, failed);
    }

    @Test
    void everyCodexStreamBecomesAWellFormedAnthropicStreamWithTheSameContent() {
        for (Path file : codexStreams()) {
            String label = file.getFileName().toString();
            byte[] in = ClientFixtures.read(file);
            Expected exp = expected(in);
            Out out = transcode(in, in.length, new ToolNames());
            Message msg = AnthropicSse.check(out.sse(), label);

            assertThat(msg.model())
                    .as("%s: the client sees its own model", label)
                    .isEqualTo(CLIENT_MODEL);
            if (exp.failed()) {
                assertThat(msg.names()).as("%s", label).endsWith("error");
                assertThat(msg.errorType())
                        .as("%s: server_error is an api_error", label)
                        .isEqualTo("api_error");
                assertThat(msg.errorMessage()).isEqualTo("capture server says the response failed");
                continue;
            }
            String text = msg.blocks().stream()
                    .filter(b -> b.type().equals("text"))
                    .map(Block::text)
                    .collect(Collectors.joining());
            assertThat(text).as("%s: text = the upstream's text, once", label).isEqualTo(exp.text());
            String thinking = msg.blocks().stream()
                    .filter(b -> b.type().equals("thinking"))
                    .map(Block::text)
                    .collect(Collectors.joining());
            assertThat(thinking)
                    .as("%s: thinking = the reasoning summary", label)
                    .isEqualTo(exp.thinking());
            assertThat(msg.blocks().stream()
                            .filter(b -> b.type().equals("tool_use"))
                            .map(Block::id)
                            .collect(Collectors.toList()))
                    .as("%s: tool_use ids are the call_ids", label)
                    .isEqualTo(exp.toolIds());
            assertThat(msg.stopReason())
                    .as("%s: stop reason", label)
                    .isEqualTo(exp.toolIds().isEmpty() ? "end_turn" : "tool_use");
            if (exp.usage() != null) {
                assertThat(out.usage())
                        .as("%s: usage from response.completed", label)
                        .isEqualTo(exp.usage());
                assertThat(msg.usage().path("input_tokens").asLong())
                        .isEqualTo(exp.usage().inputTokens());
                assertThat(msg.usage().path("output_tokens").asLong())
                        .isEqualTo(exp.usage().outputTokens());
            } else {
                assertThat(out.usage().inputTokens())
                        .as("%s: no usage, input unknown", label)
                        .isZero();
            }
        }
    }

    @Test
    void theToolAndReasoningCapturesMapToTheExpectedBlocks() {
        Message reasoning = AnthropicSse.check(
                transcode(read("codex-0.169.0_reasoning_function_call_stream.sse"), 7, new ToolNames())
                        .sse(),
                "reasoning");
        assertThat(reasoning.blocks()).extracting(Block::type).containsExactly("thinking", "tool_use");
        assertThat(reasoning.blocks().get(1).name()).isEqualTo("exec_command");
        assertThat(AnthropicSse.read(reasoning.blocks().get(1).text())
                        .path("cmd")
                        .asText())
                .isEqualTo("cat /SCRATCH/work/hello.txt");

        Message custom = AnthropicSse.check(
                transcode(read("codex-0.169.0_custom_tool_call_stream.sse"), 11, new ToolNames())
                        .sse(),
                "custom");
        assertThat(custom.blocks()).extracting(Block::type).containsExactly("tool_use");
        assertThat(custom.blocks().get(0).name()).isEqualTo("exec");
        assertThat(AnthropicSse.read(custom.blocks().get(0).text())
                        .path("input")
                        .asText())
                .as("custom tool input travels as {\"input\": text}, quotes and newlines intact")
                .isEqualTo("const r = await tools.exec_command({cmd: \"cat hello.txt\"});\ntext(r);");
        assertThat(custom.stopReason()).isEqualTo("tool_use");
    }

    @Test
    void outputIsTheSameWhereverTheInputIsSplit() {
        byte[] in = read("codex-0.169.0_reasoning_function_call_stream.sse");
        String whole = transcode(in, in.length, new ToolNames()).sse();
        for (int split = 0; split <= in.length; split++) {
            assertThat(transcode(in, split, new ToolNames()).sse())
                    .as("split at %d", split)
                    .isEqualTo(whole);
        }
    }

    private static String event(String json) {
        return "event: " + AnthropicSse.read(json).path("type").asText() + "\ndata: " + json + "\n\n";
    }

    @Test
    void parallelCallsSummaryPartsLongNamesCachedUsageAndTheOutputLimitMapAsAnthropicWould() {
        ToolNames names = new ToolNames();
        String shortName = names.shorten(LONG_TOOL);
        String in = event("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\"}}")
                + event("{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"rs_1\","
                        + "\"type\":\"reasoning\",\"summary\":[]}}")
                + event("{\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs_1\",\"summary_index\":0,"
                        + "\"delta\":\"First \"}")
                + event("{\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs_1\",\"summary_index\":0,"
                        + "\"delta\":\"part.\"}")
                + event("{\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs_1\",\"summary_index\":1,"
                        + "\"delta\":\"Second.\"}")
                + event("{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"rs_1\","
                        + "\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"First part.\"},"
                        + "{\"type\":\"summary_text\",\"text\":\"Second.\"}],\"encrypted_content\":\"gAAAA-enc\"}}")
                + event("{\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":{\"id\":\"fc_1\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_A\",\"name\":\"" + shortName
                        + "\",\"arguments\":\"\"}}")
                + event("{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"delta\":"
                        + "\"{\\\"pa\"}")
                + event("{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"delta\":"
                        + "\"th\\\": \\\"/a \\u00e9\\\"}\"}")
                + event("{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":\"fc_1\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_A\",\"name\":\"" + shortName
                        + "\",\"arguments\":\"{\\\"path\\\": \\\"/a \\u00e9\\\"}\"}}")
                // The second call streams no deltas: its arguments come only with output_item.done.
                + event("{\"type\":\"response.output_item.added\",\"output_index\":2,\"item\":{\"id\":\"fc_2\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_B\",\"name\":\"Bash\",\"arguments\":\"\"}}")
                + event("{\"type\":\"response.output_item.done\",\"output_index\":2,\"item\":{\"id\":\"fc_2\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_B\",\"name\":\"Bash\","
                        + "\"arguments\":\"{\\\"command\\\":\\\"ls\\\"}\"}}")
                + event(
                        "{\"type\":\"response.incomplete\",\"response\":{\"id\":\"resp_1\",\"status\":\"incomplete\","
                                + "\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"usage\":{\"input_tokens\":300,"
                                + "\"input_tokens_details\":{\"cached_tokens\":200},\"output_tokens\":42,\"total_tokens\":342}}}");
        byte[] bytes = in.getBytes(StandardCharsets.UTF_8);
        Out out = transcode(bytes, bytes.length / 2, names);
        Message msg = AnthropicSse.check(out.sse(), "synthetic");

        assertThat(msg.blocks()).extracting(Block::type).containsExactly("thinking", "tool_use", "tool_use");
        assertThat(msg.blocks().get(0).text())
                .as("summary parts joined by a blank line")
                .isEqualTo("First part.\n\nSecond.");
        assertThat(msg.blocks().get(0).signature()).isEqualTo("gAAAA-enc");
        assertThat(msg.blocks().get(1).name()).as("long name restored").isEqualTo(LONG_TOOL);
        assertThat(msg.blocks().get(1).id()).isEqualTo("call_A");
        assertThat(AnthropicSse.read(msg.blocks().get(1).text()).path("path").asText())
                .isEqualTo("/a \u00e9");
        assertThat(msg.blocks().get(2).id()).isEqualTo("call_B");
        assertThat(AnthropicSse.read(msg.blocks().get(2).text()).path("command").asText())
                .as("arguments sent once, from output_item.done")
                .isEqualTo("ls");
        assertThat(msg.stopReason()).as("cut by the output limit").isEqualTo("max_tokens");
        assertThat(msg.usage().path("input_tokens").asLong())
                .as("input minus cached")
                .isEqualTo(100);
        assertThat(msg.usage().path("cache_read_input_tokens").asLong()).isEqualTo(200);
        assertThat(msg.usage().path("output_tokens").asLong()).isEqualTo(42);
        assertThat(out.usage()).isEqualTo(new Usage(100, 42, 0, 200));
    }

    @Test
    void aStreamWithoutCompletedStillEndsWellFormedWithEstimatedUsage() {
        String in = event("{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"output_index\":0,"
                        + "\"delta\":\"Hel\"}")
                + event("{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"output_index\":0,"
                        + "\"delta\":\"lo\"}");
        // data-only: no event: lines at all.
        String dataOnly = in.replaceAll("event: [^\n]*\n", "");
        Out out = transcode(dataOnly.getBytes(StandardCharsets.UTF_8), 5, new ToolNames());
        Message msg = AnthropicSse.check(out.sse(), "no completed");
        assertThat(msg.names())
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        assertThat(msg.blocks().get(0).text()).isEqualTo("Hello");
        assertThat(msg.stopReason()).isEqualTo("end_turn");
        assertThat(out.usage()).as("no usage: output estimated per delta").isEqualTo(new Usage(0, 2, 0, 0));
    }

    @Test
    void upstreamErrorsEndTheStreamWithAnAnthropicErrorOfTheMatchingType() {
        String text = event("{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"partial\"}");
        String rateLimited = text
                + event("{\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\","
                        + "\"param\":null,\"sequence_number\":3}");
        Message limited = AnthropicSse.check(
                transcode(rateLimited.getBytes(StandardCharsets.UTF_8), 0, new ToolNames())
                        .sse(),
                "error event");
        assertThat(limited.names()).endsWith("content_block_stop", "error");
        assertThat(limited.errorType()).isEqualTo("rate_limit_error");
        assertThat(limited.errorMessage()).isEqualTo("slow down");

        String failed = text
                + event("{\"type\":\"response.failed\",\"response\":{\"status\":\"failed\","
                        + "\"error\":{\"code\":\"server_is_overloaded\",\"message\":\"busy\"}}}");
        Message overloaded = AnthropicSse.check(
                transcode(failed.getBytes(StandardCharsets.UTF_8), 3, new ToolNames())
                        .sse(),
                "failed");
        assertThat(overloaded.errorType()).isEqualTo("overloaded_error");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResponsesToAnthropicStream t =
                new ResponsesToAnthropicStream("m", new ToolNames(), new AnthropicEventWriter(out::writeBytes));
        byte[] delta = "{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"hi\"}"
                .getBytes(StandardCharsets.UTF_8);
        t.onEvent("", delta, 0, delta.length);
        t.fail("upstream connection reset");
        t.finish();
        t.onEvent("", delta, 0, delta.length);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .as("nothing after the error")
                .endsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                        + "\"message\":\"upstream connection reset\"}}\n\n");
        assertThat(ResponsesOutput.errorType("context_length_exceeded")).isEqualTo("invalid_request_error");
    }

    @Test
    void aCompletedEventAloneCarriesTheWholeAnswer() {
        String in = event("{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_9\",\"status\":\"completed\","
                + "\"output\":[{\"id\":\"msg_9\",\"type\":\"message\",\"role\":\"assistant\",\"content\":"
                + "[{\"type\":\"output_text\",\"text\":\"All at once.\"}]},{\"id\":\"ctc_9\",\"type\":"
                + "\"custom_tool_call\",\"call_id\":\"call_9\",\"name\":\"apply_patch\",\"input\":\"*** Begin\\n\\\"x\\\"\"}],"
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":3,\"total_tokens\":8}}}");
        Out out = transcode(in.getBytes(StandardCharsets.UTF_8), 1, new ToolNames());
        Message msg = AnthropicSse.check(out.sse(), "completed only");
        assertThat(msg.blocks()).extracting(Block::type).containsExactly("text", "tool_use");
        assertThat(msg.blocks().get(0).text()).isEqualTo("All at once.");
        assertThat(AnthropicSse.read(msg.blocks().get(1).text()).path("input").asText())
                .isEqualTo("*** Begin\n\"x\"");
        assertThat(out.usage()).isEqualTo(new Usage(5, 3, 0, 0));
        assertThat(out.sse()).contains("\"id\":\"msg_resp_9\"");
    }

    private static String added(int index, String id, String name) {
        return event("{\"type\":\"response.output_item.added\",\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                + "\",\"type\":\"function_call\",\"call_id\":\"call_" + id + "\",\"name\":\"" + name
                + "\",\"arguments\":\"\"}}");
    }

    private static String argDelta(int index, String id, String delta) {
        return event("{\"type\":\"response.function_call_arguments.delta\",\"output_index\":" + index
                + ",\"item_id\":\"" + id + "\",\"delta\":\"" + delta + "\"}");
    }

    @Test
    void callsInterleavedByOutputIndexEachBecomeOneCompleteToolUse() {
        String calls = event("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_2\"}}")
                + added(0, "fc_a", "Read")
                + added(1, "fc_b", "Bash")
                + argDelta(1, "fc_b", "{\\\"command\\\":")
                + argDelta(0, "fc_a", "{\\\"path\\\":")
                + argDelta(1, "fc_b", "\\\"ls\\\"}")
                + argDelta(0, "fc_a", "\\\"/a\\\"}");
        String withDone = calls
                + event("{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":\"fc_b\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_fc_b\",\"name\":\"Bash\","
                        + "\"arguments\":\"{\\\"command\\\":\\\"ls\\\"}\"}}")
                + event("{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"fc_a\","
                        + "\"type\":\"function_call\",\"call_id\":\"call_fc_a\",\"name\":\"Read\","
                        + "\"arguments\":\"{\\\"path\\\":\\\"/a\\\"}\"}}")
                + event("{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_2\",\"status\":\"completed\"}}");
        for (String in : List.of(withDone, calls)) {
            byte[] bytes = in.getBytes(StandardCharsets.UTF_8);
            String whole = transcode(bytes, bytes.length, new ToolNames()).sse();
            Message msg = AnthropicSse.check(whole, "interleaved");

            assertThat(msg.blocks()).extracting(Block::type).containsExactly("tool_use", "tool_use");
            assertThat(msg.blocks()).extracting(Block::name).containsExactly("Read", "Bash");
            assertThat(AnthropicSse.read(msg.blocks().get(0).text())
                            .path("path")
                            .asText())
                    .as("the first call is not cut short by the second")
                    .isEqualTo("/a");
            assertThat(AnthropicSse.read(msg.blocks().get(1).text())
                            .path("command")
                            .asText())
                    .as("the held call's input is sent once, whole")
                    .isEqualTo("ls");
            assertThat(msg.stopReason()).isEqualTo("tool_use");
            for (int split = 0; split < bytes.length; split += 7) {
                assertThat(transcode(bytes, split, new ToolNames()).sse())
                        .as("split at %d", split)
                        .isEqualTo(whole);
            }
        }
    }

    private static byte[] read(String name) {
        return ClientFixtures.read(ClientFixtures.dir().resolve(name));
    }
}
