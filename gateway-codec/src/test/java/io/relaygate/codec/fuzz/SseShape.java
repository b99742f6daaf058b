package io.relaygate.codec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Checks that a transcoder's output is well-formed in its target grammar, whatever it was fed. */
final class SseShape {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SseShape() {}

    record Event(String name, JsonNode data) {}

    /** The events of {@code sse}: each block {@code event:}? + {@code data:} lines, the data JSON or {@code [DONE]}. */
    static List<Event> events(String sse) {
        List<Event> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            if (block.isEmpty()) {
                continue;
            }
            String name = "";
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line, 6, line.length());
                } else {
                    assertThat(line).as("an SSE field or comment line").startsWith(":");
                }
            }
            if (data.toString().equals("[DONE]")) {
                out.add(new Event("[DONE]", JSON.getNodeFactory().nullNode()));
                continue;
            }
            try {
                out.add(new Event(name, JSON.readTree(data.toString())));
            } catch (IOException e) {
                throw new AssertionError("data is not JSON: " + data, e);
            }
        }
        return out;
    }

    /** message_start first, message_stop or error last, blocks opened before their deltas and closed in order. */
    static void anthropic(String sse) {
        List<Event> ev = events(sse);
        assertThat(ev).as("an Anthropic stream has events").isNotEmpty();
        assertThat(ev.get(0).data().path("type").asText()).isIn("message_start", "error");
        String last = ev.get(ev.size() - 1).data().path("type").asText();
        assertThat(last).as("ends with its terminal event").isIn("message_stop", "error");
        int open = -1;
        int next = 0;
        for (Event e : ev) {
            String type = e.data().path("type").asText();
            assertThat(e.name()).as("the event line names the type").isEqualTo(type);
            switch (type) {
                case "content_block_start" -> {
                    assertThat(open).as("one block at a time").isEqualTo(-1);
                    assertThat(e.data().path("index").asInt())
                            .as("dense indices")
                            .isEqualTo(next);
                    open = next++;
                }
                case "content_block_delta" ->
                    assertThat(e.data().path("index").asInt()).isEqualTo(open);
                case "content_block_stop" -> {
                    assertThat(e.data().path("index").asInt()).isEqualTo(open);
                    open = -1;
                }
                case "message_delta", "message_stop" ->
                    assertThat(open).as("blocks closed first").isEqualTo(-1);
                default -> {}
            }
        }
    }

    /** Chat chunks, ending with {@code [DONE]} (or an error object). */
    static void chat(String sse) {
        List<Event> ev = events(sse);
        assertThat(ev).isNotEmpty();
        Event last = ev.get(ev.size() - 1);
        assertThat(last.name().equals("[DONE]") || last.data().has("error"))
                .as("ends with [DONE] or an error: %s", sse)
                .isTrue();
    }

    /** Responses events, each with a type, ending with a terminal one. */
    static void responses(String sse) {
        List<Event> ev = events(sse);
        assertThat(ev).isNotEmpty();
        for (Event e : ev) {
            assertThat(e.data().path("type").asText())
                    .as("every event has a type")
                    .isNotEmpty();
        }
        assertThat(ev.get(ev.size() - 1).data().path("type").asText())
                .isIn("response.completed", "response.incomplete", "response.failed", "error");
    }
}
