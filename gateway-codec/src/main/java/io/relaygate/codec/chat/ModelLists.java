package io.relaygate.codec.chat;

import static io.relaygate.codec.chat.AnthropicToChatRequest.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code GET /v1/models} in the caller's shape. Anthropic: {@code {data: [{type: model, id, display_name,
 * created_at}], has_more, first_id, last_id}}; OpenAI: {@code {object: list, data: [{id, object: model, created,
 * owned_by}]}}.
 */
public final class ModelLists {

    private ModelLists() {}

    public static ObjectNode toOpenAi(JsonNode anthropicList, String ownedBy) {
        ObjectNode out = JSON.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (JsonNode m : anthropicList.path("data")) {
            long created = 0;
            try {
                created = Instant.parse(m.path("created_at").asText("")).getEpochSecond();
            } catch (DateTimeParseException e) {
                // unknown creation time stays 0
            }
            data.addObject()
                    .put("id", m.path("id").asText())
                    .put("object", "model")
                    .put("created", created)
                    .put("owned_by", ownedBy);
        }
        return out;
    }

    public static ObjectNode toAnthropic(JsonNode openAiList) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        for (JsonNode m : openAiList.path("data")) {
            data.addObject()
                    .put("type", "model")
                    .put("id", m.path("id").asText())
                    .put("display_name", m.path("id").asText())
                    .put(
                            "created_at",
                            Instant.ofEpochSecond(m.path("created").asLong(0)).toString());
        }
        out.put("has_more", false);
        if (data.isEmpty()) {
            out.putNull("first_id");
            out.putNull("last_id");
        } else {
            out.put("first_id", data.get(0).path("id").asText());
            out.put("last_id", data.get(data.size() - 1).path("id").asText());
        }
        return out;
    }
}
