package io.relaygate.core.pricing;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Usage;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Token prices per model, used to turn a request's {@link Usage} into micro-USD. Built once at start ({@link #shipped()}
 * or {@link #load(Path)}) and shared read-only across event loops; lookups keep no cache, since model names come from
 * clients and an unbounded memo would be theirs to grow.
 *
 * <p>{@link #find(String)} tries, in order: the exact name; the name lower-cased; the normalised name (provider prefix
 * such as {@code anthropic/} removed, then a trailing {@code -latest}, then a trailing date such as {@code -20250929},
 * {@code -2025-08-07} or Vertex's {@code @20250929}); last, the longest table name that the normalised name starts with
 * followed by {@code -}. So {@code claude-sonnet-4-5-thinking} is priced as {@code claude-sonnet-4-5}, and {@code
 * gpt-4o-mini-search-preview} as {@code gpt-4o-mini}, never as {@code gpt-4o}.
 */
public final class PriceTable {

    private static final String LATEST = "-latest";
    private static final Pattern DATE_SUFFIX = Pattern.compile("[-@](?:\\d{8}|\\d{4}-\\d{2}-\\d{2})$");

    /** Lower-case model name to price. */
    private final SortedMap<String, ModelPrice> byName;
    /** The names, longest first, so the first prefix hit is the most specific one. */
    private final List<String> longestFirst;

    private PriceTable(Map<String, ModelPrice> byName) {
        this.byName = Collections.unmodifiableSortedMap(new TreeMap<>(byName));
        this.longestFirst = byName.keySet().stream()
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    /** The list shipped in the jar ({@code io/relaygate/core/pricing/pricing.json}), read once on first use. */
    public static PriceTable shipped() {
        return Shipped.TABLE;
    }

    /**
     * The shipped list with {@code overrideFile}'s entries laid over it: a model it names is replaced whole, a new model
     * is added, every other model keeps its shipped price. JSON for {@code .json}, YAML for {@code .yaml}/{@code .yml},
     * same shape as the shipped file.
     *
     * @throws io.relaygate.core.config.ConfigException if the file is missing or malformed; the message names the file
     *     and the offending key
     */
    public static PriceTable load(Path overrideFile) {
        requireNonNull(overrideFile, "overrideFile");
        Map<String, ModelPrice> merged = new HashMap<>(shipped().byName);
        merged.putAll(PriceFileReader.read(overrideFile));
        return new PriceTable(merged);
    }

    /** The price of {@code model} under the lookup rules in the class comment; empty if no rule matches. */
    public Optional<ModelPrice> find(String model) {
        return Optional.ofNullable(lookup(requireNonNull(model, "model")));
    }

    /** Whether {@link #find(String)} prices {@code model}; an unknown model costs 0 in {@link #costMicros}. */
    public boolean isKnown(String model) {
        return lookup(requireNonNull(model, "model")) != null;
    }

    /** Cost of {@code usage} on {@code model} in micro-USD, rounded half-up; 0 if the model is unknown. */
    public long costMicros(String model, Usage usage) {
        requireNonNull(usage, "usage");
        ModelPrice price = lookup(requireNonNull(model, "model"));
        return price == null ? 0 : price.costMicros(usage);
    }

    /** Every entry, by lower-case name, sorted. */
    public SortedMap<String, ModelPrice> models() {
        return byName;
    }

    private @Nullable ModelPrice lookup(String model) {
        ModelPrice price = byName.get(model);
        if (price != null) {
            return price;
        }
        String lower = model.trim().toLowerCase(Locale.ROOT);
        price = byName.get(lower);
        if (price != null) {
            return price;
        }
        String normalised = normalise(lower);
        price = byName.get(normalised);
        if (price != null) {
            return price;
        }
        for (String name : longestFirst) {
            if (normalised.length() > name.length()
                    && normalised.charAt(name.length()) == '-'
                    && normalised.startsWith(name)) {
                return byName.get(name);
            }
        }
        return null;
    }

    /** {@code lowerCaseModel} without provider prefix, {@code -latest} and date suffix. */
    static String normalise(String lowerCaseModel) {
        String n = lowerCaseModel;
        int slash = n.lastIndexOf('/');
        if (slash >= 0) {
            n = n.substring(slash + 1);
        }
        if (n.endsWith(LATEST)) {
            n = n.substring(0, n.length() - LATEST.length());
        }
        return DATE_SUFFIX.matcher(n).replaceFirst("");
    }

    /** Lazy holder: the resource is parsed on first use, once, with the JVM's class-init lock as the guard. */
    private static final class Shipped {
        static final PriceTable TABLE = new PriceTable(PriceFileReader.readShipped());
    }
}
