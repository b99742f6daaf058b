package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: named SSE events, and the captured client requests in {@code testdata/clients}. */
final class SseEvents {

    static final ObjectMapper JSON = new ObjectMapper();

    record Ev(String name, JsonNode data) {

        String type() {
            return data.path("type").asText();
        }
    }

    private SseEvents() {}

    /** Every event of a named-event stream; fails on an unnamed one or one whose data type differs from its name. */
    static List<Ev> parse(String sse) {
        List<Ev> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String[] lines = block.split("\n");
            assertThat(lines).as("one event line and one data line: %s", block).hasSize(2);
            assertThat(lines[0]).as("every event is named").startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            Ev e = new Ev(lines[0].substring(7), tree(lines[1].substring(6)));
            assertThat(e.type()).as("data type matches the event name").isEqualTo(e.name());
            out.add(e);
        }
        return out;
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The captured request body of fixture {@code name} (without ".json"), found upward from the working directory. */
    static JsonNode fixtureBody(String name) {
        Path rel = Paths.get("testdata", "clients", name + ".json");
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(rel))) {
                try {
                    return JSON.readTree(Files.readAllBytes(d.resolve(rel)))
                            .path("request")
                            .path("body");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException(
                "fixture not found: " + rel + " above " + Paths.get("").toAbsolutePath());
    }
}
