package io.relaygate.codec.skim;

import com.fasterxml.jackson.core.JsonToken;
import io.relaygate.core.Route;
import org.jspecify.annotations.Nullable;

/**
 * The shape of the members a route requires, noted while {@link Fields} reads them and judged once the body is read,
 * when the route is known to the caller. These are the checks the upstream APIs make before anything else, so a
 * request that would fail them is refused before an account is chosen and an attempt counted: {@code model} a
 * non-empty string; Anthropic {@code messages} (Messages, count_tokens) and Chat {@code messages} a non-empty array of
 * objects; Responses {@code input} a string or an array of objects; Anthropic's required {@code max_tokens} and the
 * OpenAI token caps, when present, positive integers. ({@code stream} is checked as it is read.) Nothing here copies
 * the body: the reader records a token kind, a count and the first offending index.
 */
final class Structure {

    private @Nullable JsonToken messages;
    private int messageEntries;
    private int messagesFirstNonObject = -1;
    private @Nullable JsonToken input;
    private int inputFirstNonObject = -1;
    private @Nullable String limitFault;
    private boolean maxTokensGiven;

    /** Notes {@code messages} or {@code input}: the value's first token, its entry count and first non-object entry. */
    void messages(String name, JsonToken value, int entries, int firstNonObject) {
        if (name.equals("messages")) {
            messages = value;
            messageEntries = entries;
            messagesFirstNonObject = firstNonObject;
        } else {
            input = value;
            inputFirstNonObject = firstNonObject;
        }
    }

    /**
     * Notes a token cap ({@code max_tokens}, {@code max_completion_tokens}, {@code max_output_tokens}) and passes the
     * parsed value through. {@code parsed} is null when the value was not an integer that fits a long.
     */
    @Nullable
    Long limit(String name, @Nullable Long parsed, JsonToken value) {
        String fault = null;
        if (name.equals("max_tokens")) {
            maxTokensGiven = value != JsonToken.VALUE_NULL;
        }
        if (value == JsonToken.VALUE_NULL) {
            // OpenAI declares its caps nullable (null: no cap); Anthropic's required max_tokens is judged in fault().
            fault = null;
        } else if (parsed == null) {
            String found =
                    value == JsonToken.VALUE_NUMBER_INT ? "an integer out of range" : RequestSkimmer.describe(value);
            fault = name + ": " + found + " (expected: a positive integer)";
        } else if (parsed < 1) {
            fault = name + ": " + parsed + " (expected: a positive integer)";
        }
        if (fault != null && limitFault == null) {
            limitFault = fault;
        }
        return parsed;
    }

    /**
     * The first structural fault of a request on {@code route} with {@code model}, as a message that names the member
     * and the expectation, or null when the request has the shape the route requires.
     */
    @Nullable
    String fault(Route route, @Nullable String model) {
        if (model == null) {
            return "model: field required";
        }
        if (model.isBlank()) {
            return "model: an empty string (expected: a model name)";
        }
        return switch (route) {
            case MESSAGES -> {
                String fault = messagesFault();
                if (fault == null && !maxTokensGiven) {
                    fault = "max_tokens: field required (expected: a positive integer)";
                }
                yield fault != null ? fault : limitFault;
            }
            // count_tokens takes no cap; whatever a client sends there is not the gateway's to judge.
            case COUNT_TOKENS -> messagesFault();
            case CHAT_COMPLETIONS -> {
                String fault = messagesFault();
                yield fault != null ? fault : limitFault;
            }
            case RESPONSES -> inputFault();
            case MODELS -> null;
        };
    }

    private @Nullable String messagesFault() {
        if (messages == null) {
            return "messages: field required";
        }
        if (messages != JsonToken.START_ARRAY) {
            return "messages: " + RequestSkimmer.describe(messages) + " (expected: an array of message objects)";
        }
        if (messageEntries == 0) {
            return "messages: an empty array (expected: at least one message)";
        }
        if (messagesFirstNonObject >= 0) {
            return "messages[" + messagesFirstNonObject + "]: not an object (expected: a message object)";
        }
        return null;
    }

    private @Nullable String inputFault() {
        if (input != null && input != JsonToken.VALUE_STRING && input != JsonToken.START_ARRAY) {
            return "input: " + RequestSkimmer.describe(input) + " (expected: a string or an array of items)";
        }
        if (inputFirstNonObject >= 0) {
            return "input[" + inputFirstNonObject + "]: not an object (expected: an input item)";
        }
        return limitFault;
    }
}
