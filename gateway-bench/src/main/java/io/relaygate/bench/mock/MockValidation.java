package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * The structural checks the real APIs make before anything else, with their wording, so a test can tell that a
 * broken request reached the upstream: the mock answers it 400 {@code invalid_request_error} as Anthropic and OpenAI
 * do. Anthropic words a fault as {@code <member>: <reason>} ("messages: Input should be a valid list"); OpenAI names
 * the parameter in quotes ("Invalid type for 'messages': expected an array of objects, but got a string instead.").
 */
final class MockValidation {

    private MockValidation() {}

    /** The 400 message the real API gives {@code root}, or null when the request passes its structural checks. */
    static @Nullable String fault(WireApi api, boolean countTokens, JsonNode root) {
        return switch (api) {
            case ANTHROPIC -> anthropic(root, countTokens);
            case CHAT -> chat(root);
            case RESPONSES -> responses(root);
        };
    }

    private static @Nullable String anthropic(JsonNode root, boolean countTokens) {
        JsonNode model = root.get("model");
        if (model == null) {
            return "model: Field required";
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            return "model: Input should be a valid string";
        }
        JsonNode messages = root.get("messages");
        if (messages == null) {
            return "messages: Field required";
        }
        if (!messages.isArray()) {
            return "messages: Input should be a valid list";
        }
        if (messages.isEmpty()) {
            return "messages: at least one message is required";
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).isObject()) {
                return "messages." + i + ": Input should be a valid dictionary or object to extract fields from";
            }
        }
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isBoolean() && !stream.isNull()) {
            return "stream: Input should be a valid boolean";
        }
        if (countTokens) {
            return null;
        }
        JsonNode maxTokens = root.get("max_tokens");
        if (maxTokens == null || maxTokens.isNull()) {
            return "max_tokens: Field required";
        }
        if (!maxTokens.canConvertToLong() || !maxTokens.isIntegralNumber()) {
            return "max_tokens: Input should be a valid integer";
        }
        if (maxTokens.asLong() < 1) {
            return "max_tokens: Input should be greater than or equal to 1";
        }
        return null;
    }

    private static @Nullable String chat(JsonNode root) {
        String fault = openAiModelAndStream(root);
        if (fault != null) {
            return fault;
        }
        JsonNode messages = root.get("messages");
        if (messages == null) {
            return "Missing required parameter: 'messages'.";
        }
        if (!messages.isArray()) {
            return "Invalid type for 'messages': expected an array of objects, but got " + kind(messages) + " instead.";
        }
        if (messages.isEmpty()) {
            return "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array"
                    + " instead.";
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).isObject()) {
                return "Invalid type for 'messages[" + i + "]': expected an object, but got " + kind(messages.get(i))
                        + " instead.";
            }
        }
        fault = positive(root, "max_tokens");
        return fault != null ? fault : positive(root, "max_completion_tokens");
    }

    private static @Nullable String responses(JsonNode root) {
        String fault = openAiModelAndStream(root);
        if (fault != null) {
            return fault;
        }
        JsonNode input = root.get("input");
        if (input != null && !input.isTextual() && !input.isArray()) {
            return "Invalid type for 'input': expected one of a string or array of input items, but got " + kind(input)
                    + " instead.";
        }
        if (input != null && input.isArray()) {
            for (int i = 0; i < input.size(); i++) {
                if (!input.get(i).isObject()) {
                    return "Invalid type for 'input[" + i + "]': expected an input item, but got " + kind(input.get(i))
                            + " instead.";
                }
            }
        }
        return positive(root, "max_output_tokens");
    }

    private static @Nullable String openAiModelAndStream(JsonNode root) {
        JsonNode model = root.get("model");
        if (model == null) {
            return "Missing required parameter: 'model'.";
        }
        if (!model.isTextual()) {
            return "Invalid type for 'model': expected a string, but got " + kind(model) + " instead.";
        }
        if (model.asText().isBlank()) {
            return "Invalid 'model': empty string. Expected a string with minimum length 1.";
        }
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isBoolean() && !stream.isNull()) {
            return "Invalid type for 'stream': expected a boolean, but got " + kind(stream) + " instead.";
        }
        return null;
    }

    private static @Nullable String positive(JsonNode root, String name) {
        JsonNode value = root.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            return "Invalid type for '" + name + "': expected an integer, but got " + kind(value) + " instead.";
        }
        if (value.asLong() < 1) {
            return "Invalid '" + name + "': integer below minimum value. Expected a value >= 1, but got "
                    + value.asLong() + " instead.";
        }
        return null;
    }

    private static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> value.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            default -> "null";
        };
    }
}
