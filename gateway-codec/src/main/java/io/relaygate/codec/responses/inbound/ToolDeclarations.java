package io.relaygate.codec.responses.inbound;

import static io.relaygate.codec.responses.inbound.OutputItems.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Maps Responses tool declarations — top-level {@code tools} and the {@code tools} of {@code additional_tools} input
 * items, where Codex's default model sends them — to Anthropic tools, and {@code tool_choice}.
 */
final class ToolDeclarations {

    /** Told to the model on every tool that stands for a Responses custom (freeform) tool. */
    static final String FREEFORM_NOTE = "This tool takes freeform text, not JSON arguments: put the complete raw text"
            + " for the tool, exactly as it should be received, in the `input` string.";

    private ToolDeclarations() {}

    /** The Anthropic tools for the request, registering each in {@code tools}; hosted tools are dropped. */
    static ArrayNode declare(JsonNode request, ResponsesTools tools) {
        ArrayNode out = JSON.createArrayNode();
        Set<String> seen = new HashSet<>();
        for (JsonNode t : request.path("tools")) {
            add(t, null, tools, out, seen);
        }
        JsonNode input = request.path("input");
        if (input.isArray()) {
            for (JsonNode item : input) {
                if (item.path("type").asText().equals("additional_tools")) {
                    for (JsonNode t : item.path("tools")) {
                        add(t, null, tools, out, seen);
                    }
                }
            }
        }
        return out;
    }

    private static void add(
            JsonNode t, @Nullable String namespace, ResponsesTools tools, ArrayNode out, Set<String> seen) {
        String type = t.path("type").asText("");
        String name = t.path("name").asText("");
        switch (type) {
            case "function" -> {
                if (name.isEmpty()) {
                    return;
                }
                String upstream = tools.register(name, namespace, false);
                if (seen.add(upstream)) {
                    ObjectNode tool = out.addObject().put("name", upstream);
                    description(t.path("description").asText(""), tool);
                    tool.set("input_schema", schema(t.path("parameters")));
                }
            }
            case "custom" -> {
                if (name.isEmpty()) {
                    return;
                }
                String upstream = tools.register(name, namespace, true);
                if (seen.add(upstream)) {
                    String d = t.path("description").asText("");
                    ObjectNode tool = out.addObject().put("name", upstream);
                    tool.put("description", d.isEmpty() ? FREEFORM_NOTE : d + "\n\n" + FREEFORM_NOTE);
                    ObjectNode schema = tool.putObject("input_schema").put("type", "object");
                    schema.putObject("properties")
                            .putObject("input")
                            .put("type", "string")
                            .put("description", formatHint(t.path("format")));
                    schema.putArray("required").add("input");
                }
            }
            case "namespace" -> {
                for (JsonNode inner : t.path("tools")) {
                    add(inner, name.isEmpty() ? null : name, tools, out, seen);
                }
            }
            default -> {
                // web_search, file_search, tool_search, image_generation, code_interpreter, computer_use, local_shell,
                // mcp, …: run by OpenAI or answered with item types only OpenAI produces.
            }
        }
    }

    private static void description(String d, ObjectNode tool) {
        if (!d.isEmpty()) {
            tool.put("description", d);
        }
    }

    /** The function's parameters as an Anthropic input_schema, which must be an object schema. */
    private static ObjectNode schema(JsonNode parameters) {
        if (!parameters.isObject()) {
            ObjectNode s = JSON.createObjectNode().put("type", "object");
            s.putObject("properties");
            return s;
        }
        ObjectNode s = (ObjectNode) parameters.deepCopy();
        if (!s.has("type")) {
            s.put("type", "object");
        }
        return s;
    }

    /** The custom tool's {@code format} as words for the model: a grammar is quoted whole. */
    static String formatHint(JsonNode format) {
        if (format.path("type").asText().equals("grammar")) {
            return "The raw freeform input. It must match this "
                    + format.path("syntax").asText("") + " grammar:\n"
                    + format.path("definition").asText("");
        }
        return "The raw freeform input, as plain text.";
    }

    /**
     * Anthropic's {@code tool_choice} for the Responses one, or null for the default (auto without the parallel
     * restriction): auto / none / required / a named function or custom tool become auto / none / any / tool.
     */
    static @Nullable ObjectNode toolChoice(JsonNode request, ResponsesTools tools) {
        JsonNode choice = request.path("tool_choice");
        ObjectNode out = JSON.createObjectNode();
        if (choice.isTextual()) {
            switch (choice.asText()) {
                case "none" -> out.put("type", "none");
                case "required" -> out.put("type", "any");
                default -> out.put("type", "auto");
            }
        } else if (choice.isObject()) {
            switch (choice.path("type").asText("")) {
                case "function", "custom" -> {
                    String name = choice.path("name").asText("");
                    out.put("type", "tool").put("name", tools.upstreamName(name, null));
                }
                case "allowed_tools" ->
                    out.put("type", choice.path("mode").asText().equals("required") ? "any" : "auto");
                default -> out.put("type", "auto");
            }
        } else {
            out.put("type", "auto");
        }
        // Anthropic's none takes no options; for the others parallel_tool_calls: false is the restriction.
        if (request.path("parallel_tool_calls").isBoolean()
                && !request.path("parallel_tool_calls").asBoolean()
                && !out.path("type").asText().equals("none")) {
            out.put("disable_parallel_tool_use", true);
        }
        boolean plainAuto = out.size() == 1 && out.path("type").asText().equals("auto");
        return plainAuto && !choice.isObject() && !choice.isTextual() ? null : out;
    }
}
