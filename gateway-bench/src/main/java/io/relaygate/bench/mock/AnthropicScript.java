package io.relaygate.bench.mock;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.SseWriter;
import io.relaygate.core.Ids;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The content of one Anthropic answer as content blocks with their deltas, rendered either as the SSE event sequence
 * of the Messages API (message_start · content_block_start · ping · content_block_delta… · content_block_stop · … ·
 * message_delta · message_stop) or as the whole JSON message.
 */
final class AnthropicScript {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One SSE event: name and JSON data; {@code delta} marks content deltas, which are paced and counted; {@code wire},
     * when set, is the event's SSE bytes ready-made and shared read-only by every answer that sends it ({@link
     * SharedDeltas}), which {@link #encode} duplicates instead of encoding the event again.
     */
    record Event(
            String name,
            String data,
            boolean delta,
            @Nullable ByteBuf wire) {

        /** An event encoded each time it is written. */
        Event(String name, String data, boolean delta) {
            this(name, data, delta, null);
        }

        /**
         * The event as SSE text, framed by the codec's writer as the gateway frames its own; an empty name gives a
         * data-only event (Chat streams have no names).
         */
        String sse() {
            return SseWriter.text(name, data);
        }

        /**
         * {@link #sse()}'s bytes, written straight into a buffer of {@code alloc} that the caller owns (with {@link
         * #wire()}: a duplicate of it, which the caller releases as any other buffer).
         */
        ByteBuf encode(ByteBufAllocator alloc) {
            ByteBuf shared = wire;
            if (shared != null) {
                return shared.duplicate();
            }
            if (data.indexOf('\n') >= 0) {
                return Unpooled.wrappedBuffer(sse().getBytes(StandardCharsets.UTF_8));
            }
            ByteBuf buf = alloc.buffer(name.length() + data.length() + 24);
            if (!name.isEmpty()) {
                buf.writeCharSequence("event: ", StandardCharsets.US_ASCII);
                ByteBufUtil.writeUtf8(buf, name);
                buf.writeByte('\n');
            }
            buf.writeCharSequence("data: ", StandardCharsets.US_ASCII);
            ByteBufUtil.writeUtf8(buf, data);
            buf.writeShort(('\n' << 8) | '\n');
            return buf;
        }
    }

    /** {@code words}: the deltas are {@link #words}, whose events {@link SharedDeltas} keeps ready-made. */
    private record Block(
            String type, List<String> deltas, String toolId, String toolName, String signature, boolean words) {

        Block(String type, List<String> deltas, String toolId, String toolName, String signature) {
            this(type, deltas, toolId, toolName, signature, false);
        }
    }

    private final String id = "msg_" + Ids.random(24);
    private final String model;
    private final long inputTokens;
    private final List<Block> blocks = new ArrayList<>();
    private String stopReason = "end_turn";

    AnthropicScript(String model, long inputTokens) {
        this.model = model;
        this.inputTokens = inputTokens;
    }

    static AnthropicScript of(Scenario scenario, JsonNode request, long inputTokens, int events) {
        AnthropicScript s = new AnthropicScript(request.path("model").asText("claude-sonnet-4-5"), inputTokens);
        switch (scenario) {
            case TOOL_USE:
                s.text(List.of("I'll look at both."));
                s.tool("Read", List.of("", "{\"file_path\":", " \"/tmp/relaygate/a.txt\"}"));
                s.tool("Bash", List.of("", "{\"command\": \"ls", " -la\", \"description\"", ": \"List files\"}"));
                s.stopReason = "tool_use";
                break;
            case THINKING:
                List<String> thoughts = new ArrayList<>();
                for (int i = 0; i < Math.max(1, events / 2); i++) {
                    thoughts.add("Thinking step " + (i + 1) + ". ");
                }
                s.blocks.add(new Block("thinking", thoughts, "", "", "EqQBCkgIBRABGAIiQ" + Ids.random(40)));
                s.blocks.add(new Block("text", words(Math.max(1, events - events / 2)), "", "", "", true));
                break;
            case SHELL:
                ShellTool.Step step = ShellTool.step(request, WireApi.ANTHROPIC);
                if (step.kind() == ShellTool.Kind.ANSWER) {
                    s.text(ResponsesScript.halves(step.input()));
                } else {
                    List<String> json = new ArrayList<>();
                    json.add("");
                    json.addAll(ResponsesScript.halves(step.input()));
                    s.tool(step.name(), json);
                    s.stopReason = "tool_use";
                }
                break;
            default:
                s.blocks.add(new Block("text", words(events), "", "", "", true));
                break;
        }
        return s;
    }

    static List<String> words(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i == 0 ? "Hello" : " from the mock upstream (" + i + ")");
        }
        return out;
    }

    private void text(List<String> deltas) {
        blocks.add(new Block("text", deltas, "", "", ""));
    }

    private void tool(String name, List<String> partialJson) {
        blocks.add(new Block("tool_use", partialJson, "toolu_" + Ids.random(24), name, ""));
    }

    /** Content deltas the answer has; its output token count. */
    long outputTokens() {
        long n = 0;
        for (Block b : blocks) {
            n += b.deltas.size() + (b.signature.isEmpty() ? 0 : 1);
        }
        return n;
    }

    String messageStart() {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id).put("type", "message").put("role", "assistant").put("model", model);
        msg.putArray("content");
        msg.putNull("stop_reason");
        msg.putNull("stop_sequence");
        ObjectNode usage = usage(msg, 1);
        usage.put("service_tier", "standard");
        ObjectNode ev = JSON.createObjectNode().put("type", "message_start");
        ev.set("message", msg);
        return ev.toString();
    }

    /** The whole SSE sequence. */
    List<Event> events() {
        List<Event> out = new ArrayList<>();
        out.add(new Event("message_start", messageStart(), false));
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            ObjectNode start =
                    JSON.createObjectNode().put("type", "content_block_start").put("index", i);
            ObjectNode cb = start.putObject("content_block");
            switch (b.type) {
                case "tool_use":
                    cb.put("type", "tool_use").put("id", b.toolId).put("name", b.toolName);
                    cb.putObject("input");
                    break;
                case "thinking":
                    cb.put("type", "thinking").put("thinking", "").put("signature", "");
                    break;
                default:
                    cb.put("type", "text").put("text", "");
                    break;
            }
            out.add(new Event("content_block_start", start.toString(), false));
            if (i == 0) {
                out.add(new Event("ping", "{\"type\":\"ping\"}", false));
            }
            for (int k = 0; k < b.deltas.size(); k++) {
                String d = b.deltas.get(k);
                Event shared = b.words ? SharedDeltas.word(i, k, d) : null;
                out.add(shared != null ? shared : new Event("content_block_delta", delta(i, b.type, d), true));
            }
            if (!b.signature.isEmpty()) {
                ObjectNode ev = JSON.createObjectNode()
                        .put("type", "content_block_delta")
                        .put("index", i);
                ev.putObject("delta").put("type", "signature_delta").put("signature", b.signature);
                out.add(new Event("content_block_delta", ev.toString(), true));
            }
            out.add(new Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + i + "}", false));
        }
        out.add(new Event("message_delta", messageDelta(outputTokens()), false));
        out.add(new Event("message_stop", "{\"type\":\"message_stop\"}", false));
        return out;
    }

    /**
     * The flood: one text block of {@code bytes} filler characters in {@value Flood#CHUNK_CHARS}-character deltas;
     * output_tokens counts them.
     */
    Flood flood(long bytes) {
        return new Flood()
                .text(new Event("message_start", messageStart(), false).sse())
                .text(new Event(
                                "content_block_start",
                                "{\"type\":\"content_block_start\",\"index\":0,"
                                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                                false)
                        .sse())
                .deltas(bytes, (i, text) -> new Event("content_block_delta", delta(0, "text", text), true).sse())
                .text(new Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}", false).sse())
                .text(new Event("message_delta", messageDelta(Flood.deltaCount(bytes)), false).sse())
                .text(new Event("message_stop", "{\"type\":\"message_stop\"}", false).sse());
    }

    /**
     * A content_block_delta's data, built as text (the same bytes as Jackson's tree would give, which a test checks):
     * a stream builds one per event, and the harness's 2,000 streams start 500 a second.
     */
    static String delta(int index, String blockType, String value) {
        String type;
        String field;
        switch (blockType) {
            case "tool_use":
                type = "input_json_delta";
                field = "partial_json";
                break;
            case "thinking":
                type = "thinking_delta";
                field = "thinking";
                break;
            default:
                type = "text_delta";
                field = "text";
                break;
        }
        return "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":{\"type\":\"" + type + "\",\""
                + field + "\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"}}";
    }

    String messageDelta(long outputTokens) {
        ObjectNode ev = JSON.createObjectNode().put("type", "message_delta");
        ev.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        ev.putObject("usage").put("output_tokens", outputTokens);
        return ev.toString();
    }

    /** The non-streaming answer. */
    String message() {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id).put("type", "message").put("role", "assistant").put("model", model);
        ArrayNode content = msg.putArray("content");
        for (Block b : blocks) {
            ObjectNode c = content.addObject();
            String joined = String.join("", b.deltas);
            switch (b.type) {
                case "tool_use":
                    c.put("type", "tool_use").put("id", b.toolId).put("name", b.toolName);
                    try {
                        c.set("input", JSON.readTree(joined));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("mock tool input is not JSON: " + joined, e);
                    }
                    break;
                case "thinking":
                    c.put("type", "thinking").put("thinking", joined).put("signature", b.signature);
                    break;
                default:
                    c.put("type", "text").put("text", joined);
                    break;
            }
        }
        msg.put("stop_reason", stopReason);
        msg.putNull("stop_sequence");
        usage(msg, outputTokens()).put("service_tier", "standard");
        return msg.toString();
    }

    private ObjectNode usage(ObjectNode msg, long output) {
        ObjectNode usage = msg.putObject("usage");
        usage.put("input_tokens", inputTokens)
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0)
                .put("output_tokens", output);
        return usage;
    }
}
