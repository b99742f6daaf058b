package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code shell} scenario's decision for one request: call the request's own shell tool once, or, when the
 * conversation already ends with a tool result, answer with that result. End-to-end tests with the real Claude Code
 * and Codex CLIs use it: the marker {@value #MARKER} comes back only if the client really ran the command.
 */
final class ShellTool {

    static final String MARKER = "relaygate-tool-ok";
    /** How much of the tool output the final answer quotes. */
    static final int QUOTED_CHARS = 200;

    /**
     * Codex code mode's {@code exec} runs JavaScript in a V8 isolate without {@code console}; nested tools are on
     * {@code tools} and {@code text(...)} returns a value to the model (the tool's description in
     * {@code codex-0.169.0_exec_tooluse_codemode_turn1.json}, whose captured call had this shape).
     */
    static final String EXEC_SCRIPT = "const r = await tools.exec_command({cmd: \"echo " + MARKER + "\"});\ntext(r);";

    enum Kind {
        /** A function (Anthropic tool_use, Chat tool call, Responses function_call); {@code input} is JSON. */
        FUNCTION,
        /** A Responses custom_tool_call; {@code input} is free text. */
        CUSTOM,
        /** No call: answer {@code input} as text. */
        ANSWER,
    }

    record Step(Kind kind, String name, String input) {}

    private record Tool(String name, boolean custom, boolean inputSchema) {}

    private ShellTool() {}

    static Step step(JsonNode root, WireApi api) {
        String output = Conversation.toolOutput(root);
        if (output != null) {
            return new Step(Kind.ANSWER, "", "The tool returned: " + quote(output));
        }
        List<Tool> tools = tools(root, api);
        for (Tool t : tools) {
            if (t.name.equals("Bash") && !t.custom) {
                return function("Bash", "{\"command\":\"echo " + MARKER + "\",\"description\":\"Print a marker\"}");
            }
        }
        for (Tool t : tools) {
            if (t.name.equals("exec_command") && !t.custom) {
                return function("exec_command", "{\"cmd\":\"echo " + MARKER + "\"}");
            }
        }
        for (Tool t : tools) {
            if (t.name.equals("shell") && !t.custom) {
                return function("shell", "{\"command\":[\"echo\",\"" + MARKER + "\"]}");
            }
        }
        for (Tool t : tools) {
            if (t.name.equals("exec") && t.custom) {
                return new Step(Kind.CUSTOM, "exec", EXEC_SCRIPT);
            }
            if (t.name.equals("exec") && t.inputSchema) {
                // Codex's custom exec converted to a function whose schema is {input: string}.
                return function(
                        "exec",
                        AnthropicScript.JSON
                                .createObjectNode()
                                .put("input", EXEC_SCRIPT)
                                .toString());
            }
        }
        if (tools.isEmpty()) {
            // A side request without tools (Codex's title generation): plain text, and never the marker.
            return new Step(Kind.ANSWER, "", "There is no tool to call.");
        }
        Tool first = tools.get(0);
        return first.custom ? new Step(Kind.CUSTOM, first.name, "") : function(first.name, "{}");
    }

    private static Step function(String name, String arguments) {
        return new Step(Kind.FUNCTION, name, arguments);
    }

    /** The first {@value #QUOTED_CHARS} characters, never splitting a surrogate pair. */
    static String quote(String output) {
        if (output.length() <= QUOTED_CHARS) {
            return output;
        }
        int end = QUOTED_CHARS;
        if (Character.isHighSurrogate(output.charAt(end - 1))) {
            end--;
        }
        return output.substring(0, end);
    }

    /** The request's named tools in order; Responses tools in {@code additional_tools} items and namespaces too. */
    private static List<Tool> tools(JsonNode root, WireApi api) {
        List<Tool> out = new ArrayList<>();
        switch (api) {
            case ANTHROPIC:
                for (JsonNode t : root.path("tools")) {
                    add(out, t.path("name"), false, t.path("input_schema"));
                }
                break;
            case CHAT:
                for (JsonNode t : root.path("tools")) {
                    if ("function".equals(t.path("type").asText("function"))) {
                        JsonNode f = t.path("function");
                        add(out, f.path("name"), false, f.path("parameters"));
                    }
                }
                break;
            default:
                responsesTools(out, root.path("tools"));
                for (JsonNode item : root.path("input")) {
                    if ("additional_tools".equals(item.path("type").asText())) {
                        responsesTools(out, item.path("tools"));
                    }
                }
                break;
        }
        return out;
    }

    private static void responsesTools(List<Tool> out, JsonNode tools) {
        for (JsonNode t : tools) {
            switch (t.path("type").asText()) {
                case "function":
                    add(out, t.path("name"), false, t.path("parameters"));
                    break;
                case "custom":
                    add(out, t.path("name"), true, t.path("parameters"));
                    break;
                case "namespace":
                    responsesTools(out, t.path("tools"));
                    break;
                default:
                    // Hosted tools (web_search, tool_search, …) have no name to call.
                    break;
            }
        }
    }

    private static void add(List<Tool> out, JsonNode name, boolean custom, JsonNode schema) {
        if (!name.isTextual() || name.asText().isEmpty()) {
            return;
        }
        boolean input = "string"
                .equals(schema.path("properties").path("input").path("type").asText());
        out.add(new Tool(name.asText(), custom, input));
    }
}
