package io.relaygate.codec.skim;

import org.jspecify.annotations.Nullable;

/**
 * What the gateway needs from a request body, read by {@link RequestSkimmer} with Jackson's streaming parser; the body
 * itself is forwarded as received and never re-serialized.
 *
 * @param model top-level {@code model}
 * @param stream top-level {@code stream}, false when absent or null
 * @param maxTokens {@code max_tokens}, else {@code max_completion_tokens} (Chat), else {@code max_output_tokens}
 *     (Responses); null when none is an integer
 * @param metadataUserId Anthropic {@code metadata.user_id} (Claude Code sends a JSON string carrying its session id,
 *     see {@link RequestSkimmer#sessionIdFromMetadataUserId(String)})
 * @param user OpenAI {@code user}
 * @param promptCacheKey Responses {@code prompt_cache_key} (Codex sends its session id here)
 * @param streamIncludeUsage Chat {@code stream_options.include_usage}
 * @param firstSystemText the system prompt text, at most {@link RequestSkimmer#MAX_TEXT_BYTES} UTF-8 bytes, for a
 *     session hash
 * @param firstUserText the text of the first user message, same cap, for a session hash
 * @param messageCount entries of {@code messages} (or {@code input} items, a string input being one), for logs
 */
public record SkimmedRequest(
        @Nullable String model,
        boolean stream,
        @Nullable Long maxTokens,
        @Nullable String metadataUserId,
        @Nullable String user,
        @Nullable String promptCacheKey,
        boolean streamIncludeUsage,
        @Nullable String firstSystemText,
        @Nullable String firstUserText,
        int messageCount) {

    /** A request whose messages were not counted. */
    public SkimmedRequest(
            @Nullable String model,
            boolean stream,
            @Nullable Long maxTokens,
            @Nullable String metadataUserId,
            @Nullable String user,
            @Nullable String promptCacheKey,
            boolean streamIncludeUsage,
            @Nullable String firstSystemText,
            @Nullable String firstUserText) {
        this(
                model,
                stream,
                maxTokens,
                metadataUserId,
                user,
                promptCacheKey,
                streamIncludeUsage,
                firstSystemText,
                firstUserText,
                0);
    }
}
