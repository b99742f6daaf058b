package io.relaygate.codec.chat;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.catalogue.Catalogue;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Maps the model a client asked for to an account's upstream model. In order: an exact key of the account's model
 * map; a case-insensitive key; a glob key ({@code claude-*-opus*}); then the tier convention, from the model
 * catalogue: the model's tier (its catalogue entry's, or a part of its name that is a tier of its family, so a future
 * {@code claude-fable-6} counts) goes to the entry of its size ({@code small}, {@code middle}, {@code big}, per the
 * catalogue's {@code tier_sizes}: haiku small, sonnet middle, opus and fable big) or, failing that, to the entry named
 * after the tier itself ({@code haiku}, {@code fable}); else the name unchanged. The client keeps seeing the name it
 * asked for: responses are rewritten by the transcoders, not here.
 */
public final class ModelMapper {

    private final Map<String, String> map;
    private final Catalogue catalogue;

    /** A mapper with the shipped catalogue's tiers. */
    public ModelMapper(Map<String, String> map) {
        this(map, Catalogue.shipped());
    }

    public ModelMapper(Map<String, String> map, Catalogue catalogue) {
        this.map = Map.copyOf(requireNonNull(map, "map"));
        this.catalogue = requireNonNull(catalogue, "catalogue");
    }

    public String upstreamModel(String requested) {
        String exact = map.get(requested);
        if (exact != null) {
            return exact;
        }
        String lower = requested.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals(lower)) {
                return e.getValue();
            }
        }
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (e.getKey().contains("*") && glob(e.getKey()).matcher(lower).matches()) {
                return e.getValue();
            }
        }
        String tier = catalogue.tierOf(lower);
        if (tier == null) {
            return requested;
        }
        String size = catalogue.tierSizes().get(tier);
        String v = size == null ? null : map.get(size);
        if (v == null) {
            v = map.get(tier);
        }
        return v == null ? requested : v;
    }

    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '*') {
                re.append(".*");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
