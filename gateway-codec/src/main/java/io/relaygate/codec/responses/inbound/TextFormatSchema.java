package io.relaygate.codec.responses.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Adapts a Responses {@code text.format} JSON schema to Anthropic structured outputs
 * (https://docs.claude.com/en/docs/build-with-claude/structured-outputs): keywords the Messages API does not enforce
 * (length, range and count limits) move into the description as words, and objects get
 * {@code additionalProperties: false}, which it requires.
 */
final class TextFormatSchema {

    private static final List<String> UNSUPPORTED = List.of(
            "minLength",
            "maxLength",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "maxItems",
            "minProperties",
            "maxProperties");

    private TextFormatSchema() {}

    static ObjectNode adapt(JsonNode schema) {
        ObjectNode copy = (ObjectNode) schema.deepCopy();
        visit(copy);
        return copy;
    }

    private static void visit(JsonNode node) {
        if (node.isArray()) {
            for (JsonNode n : node) {
                visit(n);
            }
            return;
        }
        if (!(node instanceof ObjectNode o)) {
            return;
        }
        StringBuilder limits = new StringBuilder();
        for (String k : UNSUPPORTED) {
            JsonNode v = o.remove(k);
            if (v != null) {
                limits.append(limits.length() == 0 ? "" : ", ")
                        .append(k)
                        .append(": ")
                        .append(v);
            }
        }
        // minItems 0 and 1 are supported; larger values are not.
        if (o.path("minItems").asInt(0) > 1) {
            limits.append(limits.length() == 0 ? "" : ", ").append("minItems: ").append(o.remove("minItems"));
        }
        if (limits.length() > 0) {
            String d = o.path("description").asText("");
            o.put("description", d.isEmpty() ? "(" + limits + ")" : d + " (" + limits + ")");
        }
        if ((o.path("type").asText().equals("object") || o.has("properties")) && !o.has("additionalProperties")) {
            o.put("additionalProperties", false);
        }
        for (String k : List.of("properties", "$defs", "definitions", "patternProperties")) {
            JsonNode children = o.path(k);
            children.forEach(TextFormatSchema::visit);
        }
        for (String k : List.of("items", "prefixItems", "anyOf", "allOf", "oneOf", "additionalProperties", "not")) {
            visit(o.path(k));
        }
    }
}
