package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request's conversation in any of the three formats: Anthropic and Chat {@code messages}, or the Responses
 * {@code input} (a string, or items: messages with {@code input_text} parts, calls and call outputs). Trailing
 * {@code system} and {@code developer} turns are skipped everywhere: Claude Code appends a system message after the
 * user's turn, and Codex puts its prompt and tool lists in developer items.
 */
final class Conversation {

    private Conversation() {}

    /**
     * Text of the conversation's last turn when a user wrote it: a string, or its text parts joined. A conversation
     * that ends in tool results (an Anthropic user turn of tool_result blocks, Chat {@code tool} messages, Responses
     * {@code function_call_output} or {@code custom_tool_call_output} items) has no user text, so a tool loop started
     * by a directive ends with a plain answer.
     */
    static String lastUserText(JsonNode root) {
        List<JsonNode> turns = turns(root);
        int last = lastNonSystem(turns);
        if (last < 0) {
            return root.path("input").isTextual() ? root.path("input").asText() : "";
        }
        JsonNode turn = turns.get(last);
        return isUserText(turn) ? text(turn.path("content"), "\n") : "";
    }

    /**
     * Text of the newest user turn that has text, looking past tool calls, tool results (also Anthropic tool_result
     * turns that carry reminder text) and assistant turns.
     */
    static String userTextBeforeTools(JsonNode root) {
        if (root.path("input").isTextual()) {
            return root.path("input").asText();
        }
        List<JsonNode> turns = turns(root);
        for (int i = turns.size() - 1; i >= 0; i--) {
            JsonNode turn = turns.get(i);
            if (isUserText(turn) && !hasToolResult(turn)) {
                return text(turn.path("content"), "\n");
            }
        }
        return "";
    }

    /**
     * The output of the tool results that end the conversation, joined in order; null when it does not end with tool
     * results.
     */
    static @Nullable String toolOutput(JsonNode root) {
        List<JsonNode> turns = turns(root);
        int last = lastNonSystem(turns);
        if (last < 0) {
            return null;
        }
        JsonNode turn = turns.get(last);
        if ("user".equals(turn.path("role").asText()) && turn.path("content").isArray()) {
            // Anthropic: one user turn holding the tool_result blocks.
            StringBuilder sb = new StringBuilder();
            boolean any = false;
            for (JsonNode block : turn.path("content")) {
                if ("tool_result".equals(block.path("type").asText())) {
                    any = true;
                    sb.append(text(block.path("content"), ""));
                }
            }
            return any ? sb.toString() : null;
        }
        // Chat tool messages and Responses call outputs: one per call, consecutive at the end.
        int first = last;
        while (first >= 0 && isToolResult(turns.get(first))) {
            first--;
        }
        if (first == last) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = first + 1; i <= last; i++) {
            JsonNode t = turns.get(i);
            sb.append(text(t.has("output") ? t.path("output") : t.path("content"), ""));
        }
        return sb.toString();
    }

    /** Messages, or Responses input items (an item without {@code type} is a message). */
    private static List<JsonNode> turns(JsonNode root) {
        JsonNode list = root.has("messages") ? root.path("messages") : root.path("input");
        List<JsonNode> out = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(out::add);
        }
        return out;
    }

    private static int lastNonSystem(List<JsonNode> turns) {
        int last = turns.size() - 1;
        while (last >= 0) {
            String role = turns.get(last).path("role").asText();
            if (!role.equals("system") && !role.equals("developer")) {
                break;
            }
            last--;
        }
        return last;
    }

    private static String type(JsonNode turn) {
        return turn.path("type").asText("message");
    }

    private static boolean isUserText(JsonNode turn) {
        if (!"message".equals(type(turn)) || !"user".equals(turn.path("role").asText())) {
            return false;
        }
        JsonNode content = turn.path("content");
        if (content.isTextual()) {
            return true;
        }
        for (JsonNode part : content) {
            if (isText(part)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasToolResult(JsonNode turn) {
        for (JsonNode block : turn.path("content")) {
            if ("tool_result".equals(block.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isToolResult(JsonNode turn) {
        String type = type(turn);
        return "tool".equals(turn.path("role").asText())
                || type.equals("function_call_output")
                || type.equals("custom_tool_call_output");
    }

    private static boolean isText(JsonNode part) {
        String type = part.path("type").asText();
        return (type.equals("text") || type.equals("input_text") || type.equals("output_text"))
                && part.path("text").isTextual();
    }

    /** A string, or the text parts of an array joined with {@code separator}. */
    private static String text(JsonNode content, String separator) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if (isText(part)) {
                if (sb.length() > 0) {
                    sb.append(separator);
                }
                sb.append(part.path("text").asText());
            }
        }
        return sb.toString();
    }
}
