package io.relaygate.core.catalogue;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Usage;
import org.jspecify.annotations.Nullable;

/**
 * One model of the catalogue.
 *
 * @param name the model id, lower-case ({@code claude-opus-5-5})
 * @param vendor who sells it ({@code anthropic}, {@code openai}, …)
 * @param family its family ({@code claude}, {@code gpt}, …), the first part of its name by convention
 * @param tier its tier within the family ({@code haiku}, {@code sonnet}, {@code opus}, {@code fable}; {@code luna},
 *     {@code terra}, {@code sol}; …), or empty when it has none
 * @param price the standard prices
 * @param longContext the long-context tariff, or null when the vendor has none for it
 * @param contextWindow tokens of context, 0 when unknown
 * @param maxOutput most output tokens per request, 0 when unknown (converted requests' {@code max_tokens} are clamped
 *     to it)
 */
public record ModelEntry(
        String name,
        String vendor,
        String family,
        String tier,
        ModelPrice price,
        @Nullable LongContext longContext,
        long contextWindow,
        long maxOutput) {

    public ModelEntry {
        requireNonNull(name, "name");
        requireNonNull(vendor, "vendor");
        requireNonNull(family, "family");
        requireNonNull(tier, "tier");
        requireNonNull(price, "price");
        if (contextWindow < 0 || maxOutput < 0) {
            throw new IllegalArgumentException(
                    name + ": contextWindow " + contextWindow + ", maxOutput " + maxOutput + " (expected: >= 0)");
        }
    }

    /** The price {@code usage} is billed at: the long-context one when its prompt is over the threshold. */
    public ModelPrice priceFor(Usage usage) {
        LongContext lc = longContext;
        if (lc != null) {
            long prompt = usage.inputTokens() + usage.cacheCreationInputTokens() + usage.cacheReadInputTokens();
            if (prompt > lc.aboveInputTokens()) {
                return lc.price();
            }
        }
        return price;
    }
}
