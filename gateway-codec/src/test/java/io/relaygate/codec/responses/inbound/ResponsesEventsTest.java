package io.relaygate.codec.responses.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesEventsTest {

    @Test
    void eventsAreNumberedFromZeroWithTypeFirst() {
        List<String> out = new ArrayList<>();
        ResponsesEvents events = new ResponsesEvents(b -> out.add(new String(b, StandardCharsets.UTF_8)));

        events.emit(
                "response.output_text.delta",
                OutputItems.JSON.createObjectNode().put("delta", "h\u00e9\n"));
        events.emit(
                "response.completed",
                OutputItems.JSON.createObjectNode().put("type", "ignored").put("sequence_number", 99));

        assertThat(out)
                .containsExactly(
                        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                                + "\"sequence_number\":0,\"delta\":\"h\u00e9\\n\"}\n\n",
                        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1}\n\n");
        assertThat(events.nextSequenceNumber()).isEqualTo(2);
    }
}
