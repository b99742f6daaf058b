package io.relaygate.core.catalogue;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The model catalogue: one immutable snapshot, shared read-only by every event loop and swapped whole when an operator
 * updates it ({@code relaygate catalogue update}). Lookups keep no cache, since model names come from clients and an
 * unbounded memo would be theirs to grow.
 *
 * <p>{@link #quote(String)} never answers "free". In order:
 *
 * <ol>
 *   <li><b>exact</b>: the name, lower-cased and normalised (provider prefix such as {@code anthropic/} removed, then a
 *       {@code [1m]} context marker, a trailing {@code -latest}, a trailing date such as {@code -20250929}, {@code
 *       -2025-08-07} or Vertex's {@code @20250929});
 *   <li><b>estimated</b>, nearest first: the longest catalogued name the normalised name starts with followed by
 *       {@code -} or {@code .} ({@code gpt-4o-mini-search-preview} as {@code gpt-4o-mini}); the same family and tier
 *       ({@code claude-opus-9-9} as the catalogue's first, i.e. newest, {@code claude} {@code opus}); the name cut back
 *       one {@code -}/{@code .} part at a time, each stem tried as a name and as a prefix ({@code gpt-5.5} as {@code
 *       gpt-5.5-…}, then {@code gpt-5}); where a prefix fits several entries the dearest is taken, so limits fail safe;
 *   <li><b>unpriced</b>: the fallback price, the catalogue's own {@code fallback} when it sets one, else the highest
 *       price of each kind among the vendor's models (the vendor is that of the family named by the model's first
 *       part), else of the whole catalogue.
 * </ol>
 */
public final class Catalogue {

    private static final String LATEST = "-latest";
    private static final Pattern DATE_SUFFIX = Pattern.compile("[-@](?:\\d{8}|\\d{4}-\\d{2}-\\d{2})$");
    private static final Pattern CONTEXT_MARKER = Pattern.compile("\\[\\w+]$");

    private final String asOf;
    private final String origin;
    /** Lower-case name to entry, in the catalogue's order (newest first within a tier, by the generator's rule). */
    private final Map<String, ModelEntry> byName;
    /** The names, longest first, so the first prefix hit is the most specific one. */
    private final List<String> longestFirst;

    private final Map<String, String> tierSizes;
    private final @Nullable ModelPrice fallback;
    /** Lower-case platform id (Bedrock's without a profile prefix, Vertex's) to its entry. */
    private final Map<String, ModelEntry> byPlatformId;

    private final Set<String> cloudBetas;

    /** Most model names whose {@link #quote} is kept. */
    static final int MAX_QUOTED_NAMES = 1_024;

    /** {@link #quote} by the name asked for: normalising takes two regular expressions and several strings. */
    private final java.util.concurrent.ConcurrentHashMap<String, Quote> quotes =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param asOf the date the catalogue's prices were read
     * @param origin where this snapshot came from, for {@code catalogue list} ({@code shipped}, {@code store})
     * @param entries the models, in catalogue order
     * @param tierSizes tier to size ({@code small}, {@code middle}, {@code big}) for OpenAI-compatible accounts' model
     *     maps
     * @param fallback the price of a model nothing matches, or null for the highest price of its vendor's models
     */
    public Catalogue(
            String asOf,
            String origin,
            List<ModelEntry> entries,
            Map<String, String> tierSizes,
            @Nullable ModelPrice fallback) {
        this(asOf, origin, entries, tierSizes, fallback, Set.of());
    }

    /**
     * @param cloudBetas the {@code anthropic-beta} flags Bedrock and Vertex AI accept (they refuse others), forwarded
     *     to cloud accounts; the rest are dropped there
     * @see #Catalogue(String, String, List, Map, ModelPrice)
     */
    public Catalogue(
            String asOf,
            String origin,
            List<ModelEntry> entries,
            Map<String, String> tierSizes,
            @Nullable ModelPrice fallback,
            Set<String> cloudBetas) {
        this.asOf = requireNonNull(asOf, "asOf");
        this.origin = requireNonNull(origin, "origin");
        Map<String, ModelEntry> m = new LinkedHashMap<>();
        for (ModelEntry e : entries) {
            if (m.putIfAbsent(e.name(), e) != null) {
                throw new IllegalArgumentException("entries: " + e.name() + " twice (expected: one entry per model)");
            }
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("entries: none (expected: at least one model)");
        }
        this.byName = Collections.unmodifiableMap(m);
        this.longestFirst = m.keySet().stream()
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .toList();
        this.tierSizes = Map.copyOf(tierSizes);
        this.fallback = fallback;
        Map<String, ModelEntry> ids = new LinkedHashMap<>();
        for (ModelEntry e : m.values()) {
            for (String id : e.platformIds().values()) {
                ids.putIfAbsent(id.toLowerCase(Locale.ROOT), e);
            }
        }
        this.byPlatformId = Collections.unmodifiableMap(ids);
        this.cloudBetas = Set.copyOf(cloudBetas);
    }

    /** The catalogue shipped in the jar ({@code io/relaygate/core/catalogue/catalogue.json}), read once. */
    public static Catalogue shipped() {
        return Shipped.CATALOGUE;
    }

    /**
     * This catalogue with {@code overrides}' models laid over it: a model both name is replaced whole (and moves to the
     * front, where the newest of a tier are), a new one is added in front, every other keeps its entry; tier sizes
     * merge, {@code overrides}' fallback wins when it sets one.
     */
    public Catalogue with(Catalogue overrides) {
        List<ModelEntry> merged = new java.util.ArrayList<>(overrides.byName.values());
        for (ModelEntry e : byName.values()) {
            if (!overrides.byName.containsKey(e.name())) {
                merged.add(e);
            }
        }
        Map<String, String> sizes = new LinkedHashMap<>(tierSizes);
        sizes.putAll(overrides.tierSizes);
        ModelPrice fb = overrides.fallback != null ? overrides.fallback : fallback;
        Set<String> betas = overrides.cloudBetas.isEmpty() ? cloudBetas : overrides.cloudBetas;
        return new Catalogue(overrides.asOf, overrides.origin, merged, sizes, fb, betas);
    }

    public String asOf() {
        return asOf;
    }

    public String origin() {
        return origin;
    }

    /** Every entry in catalogue order. */
    public List<ModelEntry> entries() {
        return List.copyOf(byName.values());
    }

    /** Tier to size, as configured. */
    public Map<String, String> tierSizes() {
        return tierSizes;
    }

    /** The configured fallback price, or null when the vendor's highest applies. */
    public @Nullable ModelPrice fallback() {
        return fallback;
    }

    /** The {@code anthropic-beta} flags the cloud platforms accept. */
    public Set<String> cloudBetas() {
        return cloudBetas;
    }

    /**
     * The entry of {@code model} under the exact rule only (normalised name, or a cloud platform's id of it such as
     * {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}), if there is one.
     */
    public Optional<ModelEntry> find(String model) {
        requireNonNull(model, "model");
        ModelEntry e = byName.get(normalise(model));
        return Optional.ofNullable(e != null ? e : byPlatformId(model));
    }

    /**
     * The id of {@code model} on {@code platform} ({@link ModelEntry#BEDROCK}, {@link ModelEntry#VERTEX}): its own
     * entry's, else that of the newest entry of its tier the platform serves ({@code claude-opus-9} or {@code opus}
     * runs as the newest Opus on Bedrock); empty when neither.
     */
    public Optional<String> platformId(String platform, String model) {
        requireNonNull(platform, "platform");
        ModelEntry own = find(model).orElse(null);
        if (own != null && own.platformId(platform) != null) {
            return Optional.ofNullable(own.platformId(platform));
        }
        String n = normalise(model);
        String tier = own != null && !own.tier().isEmpty() ? own.tier() : tierOf(model);
        if (tier == null && tierSizes.containsKey(n)) {
            tier = n;
        }
        for (ModelEntry e : byName.values()) {
            if (e.tier().equals(tier) && e.platformId(platform) != null) {
                return Optional.ofNullable(e.platformId(platform));
            }
        }
        return Optional.empty();
    }

    /** The entries {@code platform} serves, in catalogue order. */
    public List<ModelEntry> servedOn(String platform) {
        return byName.values().stream()
                .filter(e -> e.platformId(platform) != null)
                .toList();
    }

    private @Nullable ModelEntry byPlatformId(String model) {
        String id = model.trim().toLowerCase(Locale.ROOT);
        ModelEntry e = byPlatformId.get(id);
        if (e == null) {
            // a Bedrock cross-region inference profile: "us." / "eu." / "global." before the model id
            int dot = id.indexOf('.');
            e = dot > 0 && dot <= 8 ? byPlatformId.get(id.substring(dot + 1)) : null;
        }
        return e;
    }

    /**
     * How {@code model} is priced: exact, estimated by the nearest rule, or unpriced (see the class comment). Kept per
     * name asked for (a catalogue never changes: an edit or a new snapshot is a new {@code Catalogue}), for at most
     * {@link #MAX_QUOTED_NAMES} names, since names come from clients; past that, worked out on each call.
     */
    public Quote quote(String model) {
        requireNonNull(model, "model");
        Quote q = quotes.get(model);
        if (q == null) {
            q = price(model);
            if (quotes.size() < MAX_QUOTED_NAMES) {
                quotes.putIfAbsent(model, q);
            }
        }
        return q;
    }

    private Quote price(String model) {
        String n = normalise(model);
        ModelEntry exact = byName.get(n);
        if (exact == null) {
            exact = byPlatformId(model);
        }
        if (exact != null) {
            return quote(model, PriceBasis.EXACT, exact);
        }
        for (String name : longestFirst) {
            if (n.length() > name.length() && isSeparator(n.charAt(name.length())) && n.startsWith(name)) {
                return quote(model, PriceBasis.ESTIMATED, byName.get(name));
            }
        }
        ModelEntry sameTier = sameFamilyAndTier(n);
        if (sameTier != null) {
            return quote(model, PriceBasis.ESTIMATED, sameTier);
        }
        for (String stem = cut(n); stem != null; stem = cut(stem)) {
            ModelEntry e = byName.get(stem);
            if (e == null) {
                e = dearestWithPrefix(stem);
            }
            if (e != null && !e.family().isEmpty() && stem.length() > e.family().length()) {
                return quote(model, PriceBasis.ESTIMATED, e);
            }
        }
        return new Quote(model, PriceBasis.UNPRICED, "fallback", null, fallbackFor(n));
    }

    /**
     * The size ({@code small}, {@code middle}, {@code big}) of {@code model}'s tier, for the tier convention of model
     * maps: the catalogued entry's tier, else a part of the name that is a tier of its family; null when neither.
     */
    public @Nullable String sizeOf(String model) {
        String tier = tierOf(model);
        return tier == null ? null : tierSizes.get(tier);
    }

    /** The tier of {@code model}: its entry's, else a part of its name that is a known tier of its family. */
    public @Nullable String tierOf(String model) {
        String n = normalise(requireNonNull(model, "model"));
        ModelEntry e = byName.get(n);
        if (e != null) {
            return e.tier().isEmpty() ? null : e.tier();
        }
        String[] parts = n.split("[-.]");
        for (String p : parts) {
            if (tierSizes.containsKey(p) && familyHasTier(parts[0], p)) {
                return p;
            }
        }
        return null;
    }

    /** The most output tokens {@code model} may produce, when the catalogue knows it (exact or estimated). */
    public Optional<Long> maxOutput(String model) {
        Quote q = quote(model);
        ModelEntry e = q.entry();
        return e == null || e.maxOutput() == 0 || q.basis() == PriceBasis.UNPRICED
                ? Optional.empty()
                : Optional.of(e.maxOutput());
    }

    private Quote quote(String model, PriceBasis basis, @Nullable ModelEntry e) {
        ModelEntry entry = requireNonNull(e, "entry");
        return new Quote(model, basis, entry.name(), entry, entry.price());
    }

    private @Nullable ModelEntry sameFamilyAndTier(String n) {
        String[] parts = n.split("[-.]");
        if (parts.length < 2) {
            return null;
        }
        String family = parts[0];
        for (int i = 1; i < parts.length; i++) {
            String tier = parts[i];
            for (ModelEntry e : byName.values()) {
                if (e.family().equals(family) && e.tier().equals(tier)) {
                    return e;
                }
            }
        }
        return null;
    }

    private boolean familyHasTier(String family, String tier) {
        for (ModelEntry e : byName.values()) {
            if (e.family().equals(family) && e.tier().equals(tier)) {
                return true;
            }
        }
        return false;
    }

    private @Nullable ModelEntry dearestWithPrefix(String stem) {
        ModelEntry best = null;
        for (ModelEntry e : byName.values()) {
            String name = e.name();
            if (name.length() > stem.length() && isSeparator(name.charAt(stem.length())) && name.startsWith(stem)) {
                if (best == null || e.price().outputPerMTok() > best.price().outputPerMTok()) {
                    best = e;
                }
            }
        }
        return best;
    }

    private ModelPrice fallbackFor(String n) {
        if (fallback != null) {
            return fallback;
        }
        int sep = firstSeparator(n);
        String family = sep < 0 ? n : n.substring(0, sep);
        String vendor = null;
        for (ModelEntry e : byName.values()) {
            if (e.family().equals(family)) {
                vendor = e.vendor();
                break;
            }
        }
        ModelPrice max = null;
        for (ModelEntry e : byName.values()) {
            if (vendor == null || e.vendor().equals(vendor)) {
                max = max == null ? e.price() : max.max(e.price());
            }
        }
        return requireNonNull(max, "max");
    }

    private static @Nullable String cut(String name) {
        int last = Math.max(name.lastIndexOf('-'), name.lastIndexOf('.'));
        return last <= 0 ? null : name.substring(0, last);
    }

    private static int firstSeparator(String n) {
        for (int i = 0; i < n.length(); i++) {
            if (isSeparator(n.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isSeparator(char c) {
        return c == '-' || c == '.';
    }

    /** {@code model} lower-cased, without provider prefix, context marker, {@code -latest} and date suffix. */
    static String normalise(String model) {
        String n = model.trim().toLowerCase(Locale.ROOT);
        int slash = n.lastIndexOf('/');
        if (slash >= 0) {
            n = n.substring(slash + 1);
        }
        n = CONTEXT_MARKER.matcher(n).replaceFirst("");
        if (n.endsWith(LATEST)) {
            n = n.substring(0, n.length() - LATEST.length());
        }
        return DATE_SUFFIX.matcher(n).replaceFirst("");
    }

    @Override
    public String toString() {
        return "Catalogue[" + byName.size() + " models as of " + asOf + ", " + origin + "]";
    }

    /** Lazy holder: the resource is parsed on first use, once, with the JVM's class-init lock as the guard. */
    private static final class Shipped {
        static final Catalogue CATALOGUE = CatalogueReader.readShipped();
    }
}
