package io.relaygate.codec.chat;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a Chat Completions upstream needs the request mapping to know.
 *
 * @param model the upstream model, after model mapping
 * @param reasoning whether the model is a reasoning model (OpenAI o-series, gpt-5 family): it takes
 *     {@code max_completion_tokens} and {@code reasoning_effort}, and rejects {@code temperature}/{@code top_p}
 * @param maxOutputTokens the account's cap on output tokens, or null for none
 */
public record ChatTarget(
        String model, boolean reasoning, @Nullable Long maxOutputTokens) {

    public ChatTarget {
        requireNonNull(model, "model");
        if (maxOutputTokens != null && maxOutputTokens <= 0) {
            throw new IllegalArgumentException("maxOutputTokens: " + maxOutputTokens + " (expected: > 0)");
        }
    }

    /** A target whose reasoning flag follows the model family: {@code o1}, {@code o3}, {@code o4}, {@code gpt-5}. */
    public static ChatTarget of(String model, @Nullable Long maxOutputTokens) {
        return new ChatTarget(model, isReasoningModel(model), maxOutputTokens);
    }

    static boolean isReasoningModel(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        if (slash >= 0) {
            m = m.substring(slash + 1);
        }
        return m.startsWith("o1") || m.startsWith("o3") || m.startsWith("o4") || m.startsWith("gpt-5");
    }
}
