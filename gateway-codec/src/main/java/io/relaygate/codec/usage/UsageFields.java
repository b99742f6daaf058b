package io.relaygate.codec.usage;

import io.relaygate.core.Usage;

/**
 * The token counts of one {@code usage} object as read (Anthropic names, or OpenAI Chat's), with {@link #ABSENT} for a field that was
 * missing, null, negative or not an integer. Kept mutable and reused: one per tap, reset per event.
 */
final class UsageFields {

    static final long ABSENT = -1;

    long inputTokens = ABSENT;
    long outputTokens = ABSENT;
    long cacheCreationInputTokens = ABSENT;
    long cacheReadInputTokens = ABSENT;
    /** OpenAI's prompt_tokens: input including cached tokens. */
    long promptTokens = ABSENT;

    void reset() {
        promptTokens = ABSENT;
        inputTokens = ABSENT;
        outputTokens = ABSENT;
        cacheCreationInputTokens = ABSENT;
        cacheReadInputTokens = ABSENT;
    }

    /** Records {@code value} when {@code field} is one of the four counts; other usage fields are not priced here. */
    void set(String field, long value) {
        if (value < 0) {
            return;
        }
        switch (field) {
            case "input_tokens" -> inputTokens = value;
            case "output_tokens" -> outputTokens = value;
            case "cache_creation_input_tokens" -> cacheCreationInputTokens = value;
            case "cache_read_input_tokens", "cached_tokens" -> cacheReadInputTokens = value;
            case "prompt_tokens" -> promptTokens = value;
            case "completion_tokens" -> outputTokens = value;
            default -> {
                // service_tier, server_tool_use, cache_creation breakdown: not token totals.
            }
        }
    }

    /**
     * Replaces each count that {@code later} carries. Anthropic's message_delta usage is cumulative, so a present
     * field supersedes the message_start value rather than adding to it.
     */
    void overwriteWith(UsageFields later) {
        if (later.inputTokens != ABSENT) {
            inputTokens = later.inputTokens;
        }
        if (later.outputTokens != ABSENT) {
            outputTokens = later.outputTokens;
        }
        if (later.cacheCreationInputTokens != ABSENT) {
            cacheCreationInputTokens = later.cacheCreationInputTokens;
        }
        if (later.cacheReadInputTokens != ABSENT) {
            cacheReadInputTokens = later.cacheReadInputTokens;
        }
        if (later.promptTokens != ABSENT) {
            promptTokens = later.promptTokens;
        }
    }

    /**
     * The counts seen so far, absent ones as 0. OpenAI's prompt_tokens include the cached ones, which Anthropic's
     * input_tokens do not: the cached part moves to cache reads so both formats mean the same.
     */
    Usage toUsage() {
        long input = inputTokens;
        if (input == ABSENT && promptTokens != ABSENT) {
            input = promptTokens - Math.max(0, cacheReadInputTokens);
        }
        return new Usage(
                Math.max(0, input),
                Math.max(0, outputTokens),
                Math.max(0, cacheCreationInputTokens),
                Math.max(0, cacheReadInputTokens));
    }
}
