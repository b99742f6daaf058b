package io.relaygate.core.catalogue;

import static java.util.Objects.requireNonNull;

/**
 * A vendor's long-context tariff: a request whose prompt (input, cache writes and cache reads together) is longer than
 * {@code aboveInputTokens} is billed whole at {@code price} (Anthropic's and OpenAI's rule: the whole request, not the
 * part above the threshold).
 */
public record LongContext(long aboveInputTokens, ModelPrice price) {

    public LongContext {
        if (aboveInputTokens <= 0) {
            throw new IllegalArgumentException("aboveInputTokens: " + aboveInputTokens + " (expected: > 0)");
        }
        requireNonNull(price, "price");
    }
}
