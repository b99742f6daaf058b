package io.relaygate.codec.chat;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Maps the model a client asked for to an account's upstream model. In order: an exact key of the account's model
 * map; a case-insensitive key; a glob key ({@code claude-*-opus*}); then Claude Code's tier convention — a name
 * containing {@code haiku} goes to the {@code small} (or {@code haiku}) entry, {@code sonnet} to {@code middle} (or
 * {@code sonnet}), {@code opus} to {@code big} (or {@code opus}); else the name unchanged. The client keeps seeing the
 * name it asked for: responses are rewritten by the transcoders, not here.
 */
public final class ModelMapper {

    private final Map<String, String> map;

    public ModelMapper(Map<String, String> map) {
        this.map = Map.copyOf(requireNonNull(map, "map"));
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
        String tier = tier(lower, "haiku", "small");
        if (tier == null) {
            tier = tier(lower, "sonnet", "middle");
        }
        if (tier == null) {
            tier = tier(lower, "opus", "big");
        }
        return tier == null ? requested : tier;
    }

    private @Nullable String tier(String lower, String family, String size) {
        if (!lower.contains(family)) {
            return null;
        }
        String v = map.get(size);
        return v != null ? v : map.get(family);
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
