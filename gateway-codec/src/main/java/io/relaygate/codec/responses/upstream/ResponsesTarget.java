package io.relaygate.codec.responses.upstream;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What an OpenAI Responses upstream needs {@link AnthropicToResponsesRequest} to know.
 *
 * <p>The ChatGPT Codex backend ({@code codex-oauth} accounts, {@code chatgpt.com/backend-api/codex/responses}) is
 * stricter than the public API, as seen in client projects' bug reports (openai/codex#26173 "Store must be set to
 * false"; kortix-ai/suna#5124 and RayBytes/ChatMock#103 "Unsupported parameter: max_output_tokens"; PwnKit-Labs/pwnkit
 * #330 "Instructions are required"; can1357/oh-my-pi#3117 "Unsupported parameter: temperature"): it wants
 * {@code store: false}, {@code stream: true} and a non-empty top-level {@code instructions}, and rejects
 * {@code max_output_tokens}, {@code temperature} and {@code top_p}. Codex CLI itself sends
 * {@code include: ["reasoning.encrypted_content"]}, {@code prompt_cache_key}, {@code parallel_tool_calls} and
 * {@code text}, so those are accepted.
 *
 * @param model the upstream model, after model mapping
 * @param codexBackend whether the account is the ChatGPT Codex backend rather than the public Responses API
 * @param maxOutputTokens the account's cap on output tokens, or null for none (ignored for the Codex backend)
 */
public record ResponsesTarget(
        String model, boolean codexBackend, @Nullable Long maxOutputTokens) {

    public ResponsesTarget {
        requireNonNull(model, "model");
        if (model.isBlank()) {
            throw new IllegalArgumentException("model: \"" + model + "\" (expected: a model name)");
        }
        if (maxOutputTokens != null && maxOutputTokens <= 0) {
            throw new IllegalArgumentException("maxOutputTokens: " + maxOutputTokens + " (expected: > 0)");
        }
    }

    /**
     * Whether the model reasons (OpenAI o-series, gpt-5 and later, codex models): it takes {@code reasoning} and
     * rejects {@code temperature}/{@code top_p}. Every model the Codex backend serves is one.
     */
    public boolean reasoningModel() {
        return codexBackend || isReasoningModel(model);
    }

    static boolean isReasoningModel(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        if (slash >= 0) {
            m = m.substring(slash + 1);
        }
        if (m.length() >= 2 && m.charAt(0) == 'o' && Character.isDigit(m.charAt(1))) {
            return true;
        }
        if (m.contains("codex")) {
            return true;
        }
        if (m.startsWith("gpt-")) {
            int end = 4;
            while (end < m.length() && Character.isDigit(m.charAt(end))) {
                end++;
            }
            // gpt-5, gpt-5.5, gpt-6.1-sol …; gpt-4o and gpt-4.1 are not reasoning models.
            return end > 4 && Integer.parseInt(m.substring(4, Math.min(end, 13))) >= 5;
        }
        return false;
    }
}
