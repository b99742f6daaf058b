package io.relaygate.codec.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.sse.SseListener;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Turns a Responses stream back into the whole response object, for a client that asked for a whole answer from an
 * upstream that only streams (the ChatGPT Codex backend). The terminal event ({@code response.completed} or
 * {@code response.incomplete}) carries the response; its {@code output} is filled from the
 * {@code response.output_item.done} items when the upstream left it empty.
 */
public final class ResponsesStreamCollector implements SseListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArrayNode items = JSON.createArrayNode();
    private @Nullable ObjectNode response;
    private @Nullable String failure;

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        if (!eventName.isEmpty() && !eventName.startsWith("response.output_item.done") && !isTerminal(eventName)) {
            return; // deltas: the done events carry everything again
        }
        JsonNode event;
        try {
            event = JSON.readTree(data, offset, length);
        } catch (IOException e) {
            return;
        }
        String type = event.path("type").asText(eventName);
        if (type.equals("response.output_item.done") && event.path("item").isObject()) {
            items.add(event.path("item"));
        } else if ((type.equals("response.completed") || type.equals("response.incomplete"))
                && event.path("response").isObject()) {
            response = (ObjectNode) event.path("response");
        } else if (type.equals("response.failed") || type.equals("error")) {
            JsonNode error = event.path("response").path("error");
            if (error.isMissingNode() || error.isNull()) {
                error = event.path("error").isObject() ? event.path("error") : event;
            }
            failure = error.path("message").asText("the upstream reported a failure");
        }
    }

    private static boolean isTerminal(String name) {
        return name.equals("response.completed")
                || name.equals("response.incomplete")
                || name.equals("response.failed")
                || name.equals("error");
    }

    /** The whole response, or null when the stream ended without one. */
    @Nullable
    public ObjectNode response() {
        ObjectNode r = response;
        if (r != null && (!r.path("output").isArray() || r.path("output").isEmpty()) && !items.isEmpty()) {
            r.set("output", items);
        }
        return r;
    }

    /** The upstream's error message when the stream failed, else null. */
    @Nullable
    public String failure() {
        return failure;
    }
}
