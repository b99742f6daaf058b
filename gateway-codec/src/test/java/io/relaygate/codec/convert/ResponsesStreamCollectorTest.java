package io.relaygate.codec.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponsesStreamCollectorTest {

    private final ResponsesStreamCollector collector = new ResponsesStreamCollector();

    @Test
    void anEmptyOutputIsFilledFromTheDoneItems() {
        event("response.output_item.done", "{\"type\":\"response.output_item.done\",\"item\":{\"id\":\"m1\"}}");
        event("response.output_text.delta", "not even JSON: deltas are skipped by name");
        event("", "{\"type\":\"response.output_item.done\",\"item\":{\"id\":\"m2\"}}");
        event("response.completed", "{\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"output\":[]}}");

        assertThat(collector.response()).isNotNull();
        assertThat(collector.response().path("output").findValuesAsText("id"))
                .as("the Codex backend leaves output empty; the done events carry the items")
                .containsExactly("m1", "m2");
        assertThat(collector.failure()).isNull();
    }

    @Test
    void anOutputTheUpstreamSentIsKept() {
        event("response.output_item.done", "{\"type\":\"response.output_item.done\",\"item\":{\"id\":\"m1\"}}");
        event("response.incomplete", "{\"type\":\"response.incomplete\",\"response\":{\"output\":[{\"id\":\"x\"}]}}");

        assertThat(collector.response().path("output").findValuesAsText("id")).containsExactly("x");
    }

    @Test
    void aFailedResponseOrAnErrorEventGivesTheUpstreamsMessage() {
        event("response.failed", "{\"type\":\"response.failed\",\"response\":{\"error\":{\"message\":\"quota\"}}}");
        assertThat(collector.response()).as("no whole answer").isNull();
        assertThat(collector.failure()).isEqualTo("quota");

        ResponsesStreamCollector other = new ResponsesStreamCollector();
        byte[] error = "{\"type\":\"error\",\"message\":\"bad\"}".getBytes(StandardCharsets.UTF_8);
        other.onEvent("error", error, 0, error.length);
        assertThat(other.failure()).isEqualTo("bad");
    }

    private void event(String name, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        collector.onEvent(name, bytes, 0, bytes.length);
    }
}
