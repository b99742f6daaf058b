package io.relaygate.codec.responses.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * Progress of one output item of a Responses stream in {@link ResponsesToAnthropicStream}; keyed by its id (or
 * {@code #output_index} when the upstream sent none).
 */
final class OutputItem {

    enum Kind {
        MESSAGE,
        REASONING,
        FUNCTION,
        CUSTOM
    }

    final Kind kind;
    String callId = "";
    String name = "";
    /** Characters of text, summary, arguments or custom input sent so far (unescaped). */
    long sent;
    /** The reasoning summary part the last delta belonged to. */
    int summaryIndex = -1;

    String signature = "";
    boolean opened;
    boolean closed;
    boolean done;
    /**
     * A tool call added while another tool call's block was open and unfinished: it waits, its input held in
     * {@link #held}, until that block closes (an Anthropic stream has one open block, and a tool block never reopens).
     */
    boolean waiting;

    final StringBuilder held = new StringBuilder();

    OutputItem(Kind kind) {
        this.kind = kind;
    }

    boolean tool() {
        return kind == Kind.FUNCTION || kind == Kind.CUSTOM;
    }

    /** The member of an item that holds a tool call's input. */
    String inputMember() {
        return kind == Kind.FUNCTION ? "arguments" : "input";
    }

    static String key(JsonNode ev) {
        String id = ev.path("item_id").asText("");
        return id.isEmpty() ? "#" + ev.path("output_index").asInt(0) : id;
    }

    static String itemKey(JsonNode item, JsonNode outputIndex) {
        String id = item.path("id").asText("");
        return id.isEmpty() ? "#" + outputIndex.asInt(0) : id;
    }

    static @Nullable Kind kind(String itemType) {
        return switch (itemType) {
            case "message" -> Kind.MESSAGE;
            case "reasoning" -> Kind.REASONING;
            case "function_call" -> Kind.FUNCTION;
            case "custom_tool_call" -> Kind.CUSTOM;
            default -> null;
        };
    }
}
