package io.relaygate.core.catalogue;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Usage;
import java.util.Map;
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
 * @param platformIds the model's id on the cloud platforms that serve it, by platform ({@code bedrock}: the Bedrock
 *     model id such as {@code anthropic.claude-sonnet-4-5-20250929-v1:0}, without an inference profile prefix; {@code
 *     vertex}: the Vertex AI id such as {@code claude-sonnet-4-5@20250929}); empty when none
 */
public record ModelEntry(
        String name,
        String vendor,
        String family,
        String tier,
        ModelPrice price,
        @Nullable LongContext longContext,
        long contextWindow,
        long maxOutput,
        Map<String, String> platformIds) {

    /** The platform of Claude on Amazon Bedrock in {@link #platformIds()}. */
    public static final String BEDROCK = "bedrock";

    /** The platform of Claude on Google Vertex AI in {@link #platformIds()}. */
    public static final String VERTEX = "vertex";

    /** An entry no cloud platform serves. */
    public ModelEntry(
            String name,
            String vendor,
            String family,
            String tier,
            ModelPrice price,
            @Nullable LongContext longContext,
            long contextWindow,
            long maxOutput) {
        this(name, vendor, family, tier, price, longContext, contextWindow, maxOutput, Map.of());
    }

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
        platformIds = Map.copyOf(platformIds);
    }

    /** The model's id on {@code platform} ({@link #BEDROCK}, {@link #VERTEX}), or null when it does not serve it. */
    public @Nullable String platformId(String platform) {
        return platformIds.get(platform);
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
