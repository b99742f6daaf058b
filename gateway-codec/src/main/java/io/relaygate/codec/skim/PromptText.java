package io.relaygate.codec.skim;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.relaygate.codec.json.JsonValues;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Pulls the prompt texts a session hash is made of out of a request, skipping everything else. Text is read from
 * Anthropic and Chat {@code messages} and Responses {@code input} (a string, or items that are messages): contents
 * are strings or arrays of blocks whose {@code type} is {@code text} or {@code input_text}. Members may come in any
 * order, so a message's text is held (capped) until its role is known; once the role is known first, as every SDK
 * writes it, a content that is not needed is skipped without being decoded.
 */
final class PromptText {

    private final TextCollector firstUser = new TextCollector(RequestSkimmer.MAX_TEXT_BYTES);
    private final TextCollector firstSystem = new TextCollector(RequestSkimmer.MAX_TEXT_BYTES);
    private final TextCollector pending = new TextCollector(RequestSkimmer.MAX_TEXT_BYTES);
    private boolean userFound;
    private boolean systemFound;
    private int messageCount;

    /** Text of the first user message, or null. */
    @Nullable
    String firstUserText() {
        return firstUser.result();
    }

    /** Text of the first system or developer message (Chat, Responses, Claude Code's per-turn message), or null. */
    @Nullable
    String firstSystemMessageText() {
        return firstSystem.result();
    }

    /** Entries of {@code messages} / {@code input} seen. */
    int messageCount() {
        return messageCount;
    }

    /**
     * Reads {@code messages} or {@code input}; the parser is on {@code value}, and is left on its last token.
     *
     * @return the first array entry that is not an object (its index; -1 when all are
     *     objects or the value is no array), for the structural check
     */
    int readMessages(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            messageCount++;
            // Responses: "input": "say hi" is one user message.
            if (!userFound) {
                appendText(p, firstUser);
                userFound = true;
            }
            return -1;
        }
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return -1;
        }
        int firstNonObject = -1;
        int index = 0;
        JsonToken item;
        while ((item = p.nextToken()) != null && item != JsonToken.END_ARRAY) {
            messageCount++;
            if (item != JsonToken.START_OBJECT && firstNonObject < 0) {
                firstNonObject = index;
            }
            index++;
            if (item == JsonToken.START_OBJECT && !(userFound && systemFound)) {
                readMessage(p);
            } else {
                p.skipChildren();
            }
        }
        return firstNonObject;
    }

    private void readMessage(JsonParser p) throws IOException {
        String role = null;
        String type = null;
        pending.clear();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "role" -> role = JsonValues.stringOrNull(p, v);
                case "type" -> type = JsonValues.stringOrNull(p, v);
                case "content" -> {
                    if (role == null || wanted(role)) {
                        readContent(p, v, pending);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        // Responses items without a type are "easy input messages"; typed items other than messages (function calls,
        // reasoning, Codex's additional_tools) hold no prompt.
        if (role == null || (type != null && !type.equals("message")) || !wanted(role)) {
            return;
        }
        if (role.equals("user")) {
            firstUser.appendAll(pending);
            userFound = true;
        } else {
            firstSystem.appendAll(pending);
            systemFound = true;
        }
    }

    private boolean wanted(String role) {
        return switch (role) {
            case "user" -> !userFound;
            case "system", "developer" -> !systemFound;
            default -> false;
        };
    }

    /** A content value: a string, or an array of blocks whose text blocks are concatenated into {@code into}. */
    static void readContent(JsonParser p, JsonToken value, TextCollector into) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            appendText(p, into);
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        JsonToken block;
        while ((block = p.nextToken()) != null && block != JsonToken.END_ARRAY) {
            if (block == JsonToken.START_OBJECT) {
                readBlock(p, into);
            } else {
                p.skipChildren();
            }
        }
    }

    private static void readBlock(JsonParser p, TextCollector into) throws IOException {
        String type = null;
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals("type")) {
                type = JsonValues.stringOrNull(p, v);
            } else if (field.equals("text") && v == JsonToken.VALUE_STRING && type != null && isTextType(type)) {
                // the type came first, as every SDK writes it: straight from the parser's buffer, no String
                appendText(p, into);
            } else if (field.equals("text") && v == JsonToken.VALUE_STRING && type == null) {
                // Bytes are never fewer than chars, so a cap in chars keeps everything the byte cap could take.
                int length = Math.min(p.getTextLength(), RequestSkimmer.MAX_TEXT_BYTES);
                text = new String(p.getTextCharacters(), p.getTextOffset(), length);
            } else {
                p.skipChildren();
            }
        }
        if (text != null && type != null && isTextType(type)) {
            into.append(text);
        }
    }

    private static boolean isTextType(String type) {
        return type.equals("text") || type.equals("input_text");
    }

    static void appendText(JsonParser p, TextCollector into) throws IOException {
        into.append(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }
}
