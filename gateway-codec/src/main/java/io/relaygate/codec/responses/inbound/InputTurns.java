package io.relaygate.codec.responses.inbound;

import static io.relaygate.codec.responses.inbound.OutputItems.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Folds Responses input items into Anthropic's alternating user/assistant turns. Consecutive items of one role merge
 * into one turn; tool results go first in their user turn; then {@link #repair()} makes the history one the Messages
 * API accepts: every tool_use is answered by a tool_result in the next turn (a synthetic error result when the client
 * sent none) and a tool_result without its tool_use right before becomes plain text.
 */
final class InputTurns {

    static final String NO_OUTPUT = "No output was recorded for this tool call.";

    private record Turn(String role, ArrayNode content) {}

    private final ResponsesTools tools;
    private final boolean includeThinking;
    private final ArrayNode system;
    private final List<Turn> turns = new ArrayList<>();

    /**
     * @param system receives the leading developer/system messages as text blocks
     * @param includeThinking whether reasoning items carrying an Anthropic signature become thinking blocks
     */
    InputTurns(ResponsesTools tools, boolean includeThinking, ArrayNode system) {
        this.tools = tools;
        this.includeThinking = includeThinking;
        this.system = system;
    }

    void addAll(JsonNode input) {
        if (input.isTextual()) {
            ArrayNode blocks = JSON.createArrayNode();
            InputContent.text(input.asText(), blocks);
            addBlocks("user", blocks);
            return;
        }
        for (JsonNode item : input) {
            add(item);
        }
    }

    private void add(JsonNode item) {
        String type = item.path("type").asText(item.has("role") ? "message" : "");
        switch (type) {
            case "message" -> message(item);
            case "function_call" -> {
                String name = tools.upstreamName(item.path("name").asText(""), namespace(item));
                toolUse(
                        item.path("call_id").asText(""),
                        name,
                        arguments(item.path("arguments").asText("")));
            }
            case "custom_tool_call" -> {
                String name = tools.upstreamName(item.path("name").asText(""), namespace(item));
                ObjectNode input =
                        JSON.createObjectNode().put("input", item.path("input").asText(""));
                toolUse(item.path("call_id").asText(""), name, input);
            }
            case "function_call_output", "custom_tool_call_output" ->
                toolResult(item.path("call_id").asText(""), item.path("output"));
            case "reasoning" -> reasoning(item);
            default -> {
                // additional_tools (read by ToolDeclarations), configuration_update, item_reference, compaction and the
                // calls of hosted tools: nothing an Anthropic model can take.
            }
        }
    }

    private void message(JsonNode item) {
        JsonNode content = item.path("content");
        ArrayNode blocks = JSON.createArrayNode();
        switch (item.path("role").asText("user")) {
            case "developer", "system" -> {
                if (turns.isEmpty()) {
                    InputContent.append(content, system);
                } else {
                    // Later instructions stay where they were given: moving them into the system prompt would
                    // change the cached prefix of the whole conversation.
                    String text = InputContent.plainText(content);
                    if (!text.isEmpty()) {
                        InputContent.text("<developer_message>\n" + text + "\n</developer_message>", blocks);
                    }
                    addBlocks("user", blocks);
                }
            }
            case "assistant" -> {
                InputContent.append(content, blocks);
                addBlocks("assistant", blocks);
            }
            default -> {
                InputContent.append(content, blocks);
                addBlocks("user", blocks);
            }
        }
    }

    private void toolUse(String callId, String name, ObjectNode input) {
        block("assistant")
                .addObject()
                .put("type", "tool_use")
                .put("id", callId)
                .put("name", name)
                .set("input", input);
    }

    private void toolResult(String callId, JsonNode output) {
        ObjectNode result = JSON.createObjectNode().put("type", "tool_result").put("tool_use_id", callId);
        if (output.isTextual()) {
            if (!output.asText().isEmpty()) {
                result.put("content", output.asText());
            }
        } else if (output.isArray()) {
            ArrayNode blocks = JSON.createArrayNode();
            InputContent.append(output, blocks);
            if (!blocks.isEmpty()) {
                result.set("content", blocks);
            }
        } else if (output.isObject() && output.path("content").isTextual()) {
            result.put("content", output.path("content").asText());
            if (output.path("success").isBoolean() && !output.path("success").asBoolean()) {
                result.put("is_error", true);
            }
        }
        boolean answersCall = answersLastCall(callId);
        ArrayNode content = block("user");
        if (answersCall) {
            content.insert(leadingResults(content), result);
        } else {
            // Left in place; repair() turns it into text there.
            content.add(result);
        }
    }

    /** Whether {@code callId} is a tool_use of the assistant turn a user block added now would follow. */
    private boolean answersLastCall(String callId) {
        int n = turns.size();
        int assistant = n > 0 && turns.get(n - 1).role().equals("assistant") ? n - 1 : n - 2;
        return assistant >= 0
                && turns.get(assistant).role().equals("assistant")
                && toolUseIds(turns.get(assistant).content()).contains(callId);
    }

    private void reasoning(JsonNode item) {
        if (!includeThinking) {
            return;
        }
        String encrypted = item.path("encrypted_content").asText("");
        if (encrypted.startsWith(OutputItems.THINKING_MARK)) {
            StringBuilder text = new StringBuilder();
            for (JsonNode s : item.path("summary")) {
                text.append(s.path("text").asText(""));
            }
            block("assistant")
                    .addObject()
                    .put("type", "thinking")
                    .put("thinking", text.toString())
                    .put("signature", encrypted.substring(OutputItems.THINKING_MARK.length()));
        } else if (encrypted.startsWith(OutputItems.REDACTED_MARK)) {
            block("assistant")
                    .addObject()
                    .put("type", "redacted_thinking")
                    .put("data", encrypted.substring(OutputItems.REDACTED_MARK.length()));
        }
        // Anything else is OpenAI's own encrypted reasoning, which an Anthropic model cannot read.
    }

    /** Appends {@code blocks} to a turn of {@code role}; nothing (no empty turn) when there are none. */
    private void addBlocks(String role, ArrayNode blocks) {
        if (!blocks.isEmpty()) {
            block(role).addAll(blocks);
        }
    }

    /** The content array of the last turn when it has {@code role}, else of a new turn. */
    private ArrayNode block(String role) {
        if (!turns.isEmpty() && turns.get(turns.size() - 1).role().equals(role)) {
            return turns.get(turns.size() - 1).content();
        }
        Turn t = new Turn(role, JSON.createArrayNode());
        turns.add(t);
        return t.content();
    }

    /**
     * Makes every tool_use answered in the next turn and every tool_result preceded by its tool_use, as the Messages
     * API requires, and makes the conversation open with a user turn.
     */
    void repair() {
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            if (!t.role().equals("user")) {
                continue;
            }
            Set<String> calls = i > 0 && turns.get(i - 1).role().equals("assistant")
                    ? toolUseIds(turns.get(i - 1).content())
                    : Set.of();
            Map<String, JsonNode> results = new HashMap<>();
            ArrayNode rest = JSON.createArrayNode();
            for (JsonNode b : t.content()) {
                if (!b.path("type").asText().equals("tool_result")) {
                    rest.add(b);
                } else if (calls.contains(b.path("tool_use_id").asText())
                        && !results.containsKey(b.path("tool_use_id").asText())) {
                    results.put(b.path("tool_use_id").asText(), b);
                } else {
                    orphan(b, rest);
                }
            }
            // Results in the order of the calls, a missing one answered as an error.
            ArrayNode fixed = JSON.createArrayNode();
            for (String id : calls) {
                JsonNode r = results.get(id);
                fixed.add(r != null ? r : syntheticResult(id));
            }
            fixed.addAll(rest);
            t.content().removeAll();
            t.content().addAll(fixed);
        }
        // Tool calls in the very last turn (Codex always answers its calls, but a history may be cut) get their
        // answers in a new user turn.
        if (!turns.isEmpty() && turns.get(turns.size() - 1).role().equals("assistant")) {
            Set<String> open = toolUseIds(turns.get(turns.size() - 1).content());
            if (!open.isEmpty()) {
                ArrayNode content = block("user");
                for (String id : open) {
                    content.add(syntheticResult(id));
                }
            }
        }
        if (!turns.isEmpty() && turns.get(0).role().equals("assistant")) {
            // The Messages API wants the conversation to open with a user turn.
            turns.add(0, new Turn("user", JSON.createArrayNode()));
            InputContent.text("(conversation continues)", turns.get(0).content());
        }
    }

    /**
     * Whether the conversation ends in a tool loop (a user turn of tool results after an assistant tool_use) whose
     * assistant turn does not start with a thinking block: with thinking on, the Messages API rejects that.
     */
    boolean lastToolLoopLacksThinking() {
        int n = turns.size();
        if (n < 2 || !turns.get(n - 1).role().equals("user")) {
            return false;
        }
        JsonNode first = turns.get(n - 1).content().path(0);
        if (!first.path("type").asText().equals("tool_result")) {
            return false;
        }
        String lead = turns.get(n - 2).content().path(0).path("type").asText("");
        return !lead.equals("thinking") && !lead.equals("redacted_thinking");
    }

    ArrayNode messages() {
        ArrayNode out = JSON.createArrayNode();
        for (Turn t : turns) {
            out.addObject().put("role", t.role()).set("content", t.content());
        }
        return out;
    }

    private static void orphan(JsonNode result, ArrayNode out) {
        JsonNode c = result.path("content");
        String id = result.path("tool_use_id").asText();
        String text = c.isTextual() ? c.asText() : c.isArray() ? InputContent.plainText(c) : "";
        InputContent.text("Output of tool call " + id + ":\n" + text, out);
        if (c.isArray()) {
            for (JsonNode b : c) {
                if (!b.path("type").asText().equals("text")) {
                    out.add(b);
                }
            }
        }
    }

    private static ObjectNode syntheticResult(String id) {
        return JSON.createObjectNode()
                .put("type", "tool_result")
                .put("tool_use_id", id)
                .put("content", NO_OUTPUT)
                .put("is_error", true);
    }

    private static Set<String> toolUseIds(ArrayNode content) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode b : content) {
            if (b.path("type").asText().equals("tool_use")) {
                ids.add(b.path("id").asText());
            }
        }
        return ids;
    }

    private static int leadingResults(ArrayNode content) {
        int i = 0;
        while (i < content.size() && content.get(i).path("type").asText().equals("tool_result")) {
            i++;
        }
        return i;
    }

    private static @Nullable String namespace(JsonNode item) {
        JsonNode ns = item.path("namespace");
        return ns.isTextual() && !ns.asText().isEmpty() ? ns.asText() : null;
    }

    /** Parsed function-call arguments; anything but a JSON object is kept whole under {@code _raw_arguments}. */
    static ObjectNode arguments(String json) {
        if (json.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(json);
            if (n != null && n.isObject()) {
                return (ObjectNode) n;
            }
        } catch (IOException e) {
            // fall through: kept raw so the model still sees what it sent
        }
        return JSON.createObjectNode().put("_raw_arguments", json);
    }
}
