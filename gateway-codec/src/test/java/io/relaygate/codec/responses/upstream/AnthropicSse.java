package io.relaygate.codec.responses.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.codec.chat.StreamTranscoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: feeds a transcript to a transcoder and checks that what came out is an Anthropic Messages stream
 * Claude Code accepts (README section 3 of the client fixtures), returning what it said.
 */
final class AnthropicSse {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One content block as the client would assemble it. */
    record Block(String type, String id, String name, String text, String signature) {}

    /** The assembled message, or the error type when the stream ended with an error event. */
    record Message(
            List<String> names,
            List<Block> blocks,
            String stopReason,
            JsonNode usage,
            String errorType,
            String errorMessage,
            String model) {}

    private AnthropicSse() {}

    /** Feeds {@code in} in two chunks split at {@code split}, then ends the upstream stream. */
    static void feed(byte[] in, int split, StreamTranscoder transcoder) {
        io.relaygate.codec.chat.Transcripts.feed(in, split, transcoder);
    }

    /** Checks the event grammar of {@code sse} and assembles the message it describes. */
    static Message check(String sse, String label) {
        assertThat(sse).as("%s: ends with a blank line", label).endsWith("\n\n");
        List<String> names = new ArrayList<>();
        List<JsonNode> events = new ArrayList<>();
        for (String frame : sse.substring(0, sse.length() - 2).split("\n\n", -1)) {
            String[] lines = frame.split("\n", -1);
            assertThat(lines).as("%s: event and data line: %s", label, frame).hasSize(2);
            assertThat(lines[0]).as("%s: every event names itself", label).startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            String name = lines[0].substring("event: ".length());
            JsonNode data = read(lines[1].substring("data: ".length()));
            assertThat(data.path("type").asText())
                    .as("%s: event name = data type", label)
                    .isEqualTo(name);
            names.add(name);
            events.add(data);
        }
        assertThat(names).as("%s: message_start first", label).first().isEqualTo("message_start");
        assertThat(names.subList(1, names.size()))
                .as("%s: one message_start", label)
                .doesNotContain("message_start");
        String last = names.get(names.size() - 1);
        List<Block> blocks = new ArrayList<>();
        int open = -1;
        String type = "";
        String id = "";
        String name = "";
        String signature = "";
        boolean sawSignature = false;
        StringBuilder text = new StringBuilder();
        int deltasInBlock = 0;
        String stopReason = "";
        JsonNode usage = JSON.createObjectNode();
        for (int i = 1; i < events.size(); i++) {
            JsonNode e = events.get(i);
            switch (names.get(i)) {
                case "content_block_start" -> {
                    assertThat(open).as("%s: blocks do not overlap", label).isEqualTo(-1);
                    assertThat(e.path("index").asInt())
                            .as("%s: dense block indices", label)
                            .isEqualTo(blocks.size());
                    open = e.path("index").asInt();
                    JsonNode b = e.path("content_block");
                    type = b.path("type").asText();
                    id = b.path("id").asText("");
                    name = b.path("name").asText("");
                    signature = "";
                    sawSignature = false;
                    text.setLength(0);
                    deltasInBlock = 0;
                    if (type.equals("tool_use")) {
                        assertThat(id).as("%s: tool_use id", label).isNotEmpty();
                        assertThat(b.path("input").isObject()).isTrue();
                    }
                }
                case "content_block_delta" -> {
                    assertThat(e.path("index").asInt())
                            .as("%s: delta of the open block", label)
                            .isEqualTo(open)
                            .isNotNegative();
                    JsonNode d = e.path("delta");
                    String dt = d.path("type").asText();
                    switch (type) {
                        case "text" -> {
                            assertThat(dt).isEqualTo("text_delta");
                            text.append(d.path("text").asText());
                        }
                        case "thinking" -> {
                            assertThat(sawSignature)
                                    .as("%s: signature_delta ends the thinking block", label)
                                    .isFalse();
                            if (dt.equals("signature_delta")) {
                                sawSignature = true;
                                signature = d.path("signature").asText();
                            } else {
                                assertThat(dt).isEqualTo("thinking_delta");
                                text.append(d.path("thinking").asText());
                            }
                        }
                        default -> {
                            assertThat(dt).isEqualTo("input_json_delta");
                            if (deltasInBlock == 0) {
                                assertThat(d.path("partial_json").asText())
                                        .as("%s: first input_json_delta is empty", label)
                                        .isEmpty();
                            }
                            text.append(d.path("partial_json").asText());
                        }
                    }
                    deltasInBlock++;
                }
                case "content_block_stop" -> {
                    assertThat(e.path("index").asInt())
                            .as("%s: stop of the open block", label)
                            .isEqualTo(open);
                    if (type.equals("thinking")) {
                        assertThat(sawSignature)
                                .as("%s: thinking block signed", label)
                                .isTrue();
                    }
                    if (type.equals("tool_use")) {
                        String input = text.length() == 0 ? "{}" : text.toString();
                        assertThat(read(input).isObject())
                                .as("%s: tool input is a JSON object", label)
                                .isTrue();
                    }
                    blocks.add(new Block(type, id, name, text.toString(), signature));
                    open = -1;
                }
                case "message_delta" -> {
                    assertThat(open)
                            .as("%s: blocks closed before message_delta", label)
                            .isEqualTo(-1);
                    stopReason = e.path("delta").path("stop_reason").asText();
                    usage = e.path("usage");
                }
                case "message_stop" ->
                    assertThat(i).as("%s: message_stop last", label).isEqualTo(events.size() - 1);
                case "error" -> {
                    assertThat(i).as("%s: error last", label).isEqualTo(events.size() - 1);
                    assertThat(open)
                            .as("%s: blocks closed before the error", label)
                            .isEqualTo(-1);
                }
                case "ping" -> {}
                default -> throw new AssertionError(label + ": unexpected event " + names.get(i));
            }
        }
        JsonNode error = events.get(events.size() - 1).path("error");
        if (last.equals("error")) {
            assertThat(names).as("%s: no message_stop after an error", label).doesNotContain("message_stop");
        } else {
            assertThat(names.subList(names.size() - 2, names.size()))
                    .as("%s: message_delta + message_stop end it", label)
                    .containsExactly("message_delta", "message_stop");
            assertThat(stopReason).as("%s: stop reason", label).isNotEmpty();
        }
        return new Message(
                names,
                blocks,
                stopReason,
                usage,
                error.path("type").asText(""),
                error.path("message").asText(""),
                events.get(0).path("message").path("model").asText());
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(json, e);
        }
    }
}
