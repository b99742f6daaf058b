package io.relaygate.server.signin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.people.Person;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The operator's managed settings for signed-in Claude Code clients, per group: one document
 * ({@code Documents.MANAGED_SETTINGS}) of the form {@code {"groups": {"<group>": {…settings…}, "*": {…}}}}, where each
 * value is a Claude Code {@code managed-settings.json}. A person gets the settings of their first group that has
 * some, else those of {@code "*"}, else none (Claude Code's "no managed policy").
 *
 * <p>The checksum is the protocol's: {@code sha256:} and the hex SHA-256 of the settings as JSON with the keys sorted
 * at every level and no whitespace, the value Claude Code computes itself and sends back as {@code If-None-Match}.
 */
public final class ManagedSettings {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The group whose settings apply to everyone without settings of their own. */
    public static final String EVERYONE = "*";

    private ManagedSettings() {}

    /** Checks {@code text} is a settings document; returns it parsed. */
    public static ObjectNode parse(@Nullable String text) {
        if (text == null || text.isBlank()) {
            ObjectNode empty = JSON.createObjectNode();
            empty.putObject("groups");
            return empty;
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("managed settings: not JSON");
        }
        if (!doc.isObject() || !doc.path("groups").isObject()) {
            throw new IllegalArgumentException("managed settings: {\"groups\": {\"<group>\": {…}}} expected");
        }
        for (Iterator<JsonNode> it = doc.path("groups").elements(); it.hasNext(); ) {
            if (!it.next().isObject()) {
                throw new IllegalArgumentException("managed settings: each group's settings must be a JSON object");
            }
        }
        return (ObjectNode) doc;
    }

    /** The settings that apply to {@code person}, with the group they came from. */
    record Applied(String group, ObjectNode settings) {}

    static Optional<Applied> forPerson(ObjectNode doc, Person person) {
        JsonNode groups = doc.path("groups");
        List<String> order = new ArrayList<>(person.groups());
        order.add(EVERYONE);
        for (String g : order) {
            JsonNode s = groups.get(g);
            if (s != null && s.isObject()) {
                return Optional.of(new Applied(g, (ObjectNode) s));
            }
        }
        return Optional.empty();
    }

    /** The protocol's checksum of {@code settings}. */
    public static String checksum(JsonNode settings) {
        StringBuilder out = new StringBuilder();
        canonical(settings, out);
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256").digest(out.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (GeneralSecurityException e) {
            // every Java platform is required to provide SHA-256 (MessageDigest Javadoc)
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** JSON with sorted keys and no whitespace, as JavaScript's JSON.stringify writes it. */
    static void canonical(JsonNode n, StringBuilder out) {
        if (n.isObject()) {
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                out.append(i == 0 ? "" : ",")
                        .append(JSON.getNodeFactory().textNode(names.get(i)).toString());
                out.append(':');
                canonical(n.get(names.get(i)), out);
            }
            out.append('}');
        } else if (n.isArray()) {
            out.append('[');
            for (int i = 0; i < n.size(); i++) {
                out.append(i == 0 ? "" : ",");
                canonical(n.get(i), out);
            }
            out.append(']');
        } else if (n.isFloatingPointNumber()
                && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) < 1e15) {
            // JavaScript writes 1.0 as 1
            out.append((long) n.doubleValue());
        } else {
            out.append(n.toString());
        }
    }
}
