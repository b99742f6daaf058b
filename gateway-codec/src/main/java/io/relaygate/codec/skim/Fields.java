package io.relaygate.codec.skim;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.relaygate.codec.json.JsonValues;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/** The top-level members {@link RequestSkimmer} keeps, filled in body order and turned into a record at the end. */
final class Fields {

    private @Nullable String model;
    private boolean stream;
    private @Nullable Long maxTokens;
    private @Nullable Long maxCompletionTokens;
    private @Nullable Long maxOutputTokens;
    private @Nullable String metadataUserId;
    private @Nullable String user;
    private @Nullable String promptCacheKey;
    private boolean streamIncludeUsage;
    private final TextCollector system = new TextCollector(RequestSkimmer.MAX_TEXT_BYTES);
    private final TextCollector instructions = new TextCollector(RequestSkimmer.MAX_TEXT_BYTES);
    private final PromptText prompts = new PromptText();
    final Structure structure = new Structure();

    /** Reads one top-level member whose value starts at {@code value}; leaves the parser on the value's last token. */
    void read(JsonParser p, String name, JsonToken value) throws IOException {
        switch (name) {
            case "model" -> {
                if (value != JsonToken.VALUE_STRING) {
                    throw RequestSkimmer.invalid("model: " + RequestSkimmer.describe(value) + " (expected: a string)");
                }
                model = p.getText();
            }
            case "stream" -> {
                // OpenAI declares stream nullable; null means the default, not streaming.
                if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
                    stream = value == JsonToken.VALUE_TRUE;
                } else if (value != JsonToken.VALUE_NULL) {
                    throw RequestSkimmer.invalid(
                            "stream: " + RequestSkimmer.describe(value) + " (expected: a boolean)");
                }
            }
            case "max_tokens" -> maxTokens = structure.limit(name, longOrNull(p, value), value);
            case "max_completion_tokens" -> maxCompletionTokens = structure.limit(name, longOrNull(p, value), value);
            case "max_output_tokens" -> maxOutputTokens = structure.limit(name, longOrNull(p, value), value);
            case "metadata" -> metadataUserId = JsonValues.stringMember(p, value, "user_id");
            case "user" -> user = JsonValues.stringOrNull(p, value);
            case "prompt_cache_key" -> promptCacheKey = JsonValues.stringOrNull(p, value);
            case "stream_options" -> streamIncludeUsage = includeUsage(p, value);
            case "system" -> PromptText.readContent(p, value, system);
            case "instructions" -> {
                if (value == JsonToken.VALUE_STRING) {
                    PromptText.appendText(p, instructions);
                } else {
                    p.skipChildren();
                }
            }
            case "messages", "input" -> {
                int before = prompts.messageCount();
                int firstNonObject = prompts.readMessages(p, value);
                structure.messages(name, value, prompts.messageCount() - before, firstNonObject);
            }
            default -> p.skipChildren();
        }
    }

    @Nullable
    String model() {
        return model;
    }

    SkimmedRequest toRequest() {
        Long max = maxTokens != null ? maxTokens : maxCompletionTokens != null ? maxCompletionTokens : maxOutputTokens;
        // Anthropic's top-level system wins; Responses instructions next; else the first system or developer
        // message (Chat, Responses input), so every format yields a system text for the session hash.
        String systemText = system.result();
        if (systemText == null) {
            systemText = instructions.result();
        }
        if (systemText == null) {
            systemText = prompts.firstSystemMessageText();
        }
        return new SkimmedRequest(
                model,
                stream,
                max,
                metadataUserId,
                user,
                promptCacheKey,
                streamIncludeUsage,
                systemText,
                prompts.firstUserText(),
                prompts.messageCount());
    }

    private static @Nullable Long longOrNull(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType type = p.getNumberType();
            if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
                return p.getLongValue();
            }
        }
        // Other types are the upstream's to reject; the gateway only uses the value for limits.
        p.skipChildren();
        return null;
    }

    private static boolean includeUsage(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return false;
        }
        boolean include = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean wanted = p.currentName().equals("include_usage");
            JsonToken v = p.nextToken();
            if (wanted) {
                include = v == JsonToken.VALUE_TRUE;
            }
            p.skipChildren();
        }
        return include;
    }
}
