package io.relaygate.codec.responses.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.core.Usage;
import java.util.Locale;

/** Reading Responses output items and status the same way for the stream transcoder and the whole-answer mapper. */
final class ResponsesOutput {

    /** Between reasoning summary parts, in the streamed thinking as in the whole answer. */
    static final String PART_SEPARATOR = "\n\n";

    private ResponsesOutput() {}

    /** The text of a {@code message} item: its output_text parts and refusals, in order. */
    static String messageText(JsonNode item) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : item.path("content")) {
            switch (part.path("type").asText("")) {
                case "output_text" -> sb.append(part.path("text").asText(""));
                case "refusal" -> sb.append(part.path("refusal").asText(""));
                default -> {
                    // Other part types carry no text for the client.
                }
            }
        }
        return sb.toString();
    }

    /**
     * The readable reasoning of a {@code reasoning} item: its summary parts joined by blank lines, or, when there is no
     * summary, its raw {@code reasoning_text} content (open-weight models served through vLLM and the like send that).
     */
    static String reasoningText(JsonNode item) {
        String summary = joined(item.path("summary"), "summary_text");
        return summary.isEmpty() ? joined(item.path("content"), "reasoning_text") : summary;
    }

    private static String joined(JsonNode parts, String type) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : parts) {
            if (type.equals(part.path("type").asText(""))) {
                if (sb.length() > 0) {
                    sb.append(PART_SEPARATOR);
                }
                sb.append(part.path("text").asText(""));
            }
        }
        return sb.toString();
    }

    /**
     * Anthropic's stop reason. An answer cut by the output limit is {@code max_tokens} even when it was writing a tool
     * call (its arguments are incomplete, as Anthropic reports it too); otherwise a tool call means {@code tool_use}.
     */
    static String stopReason(String status, String incompleteReason, boolean toolUse) {
        if ("incomplete".equals(status)) {
            if ("max_output_tokens".equals(incompleteReason)) {
                return "max_tokens";
            }
            if ("content_filter".equals(incompleteReason)) {
                return "refusal";
            }
        }
        return toolUse ? "tool_use" : "end_turn";
    }

    /** The Anthropic error type for an OpenAI error code ({@code rate_limit_exceeded}, {@code server_error}, …). */
    static String errorType(String code) {
        String c = code.toLowerCase(Locale.ROOT);
        if (c.contains("rate_limit") || c.contains("too_many_requests")) {
            return "rate_limit_error";
        }
        if (c.contains("overloaded") || c.contains("slow_down") || c.contains("unavailable")) {
            return "overloaded_error";
        }
        if (c.contains("context_length") || c.contains("invalid")) {
            return "invalid_request_error";
        }
        return "api_error";
    }

    /** A Responses {@code usage} object in Anthropic terms: cached input tokens are cache reads, not input. */
    static Usage usage(JsonNode u) {
        long input = Math.max(0, u.path("input_tokens").asLong(0));
        long cached =
                Math.max(0, u.path("input_tokens_details").path("cached_tokens").asLong(0));
        long output = Math.max(0, u.path("output_tokens").asLong(0));
        return new Usage(Math.max(0, input - cached), output, 0, cached);
    }
}
