package io.relaygate.server.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.KeyRules;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.ModelEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Model discovery for a key with a model list: {@code GET /v1/models} in Anthropic's models-list shape, answered by
 * the gateway, naming exactly the models the key may use. Claude Code reads {@code id} and {@code display_name}
 * (with {@code CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY}) and keeps the ids that start with {@code claude} or
 * {@code anthropic}. Patterns ({@code claude-*-haiku*}) are matched against the operator's catalogue; a plain id the
 * catalogue does not know is listed as it is. Display names come from the catalogue's family and tier and the
 * version in the id ({@code claude-opus-4-7} → {@code Claude Opus 4.7}), dated snapshots dropping the date.
 */
final class PermittedModels {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PermittedModels() {}

    /** Whether the gateway answers this key's model list itself (it has a model list). */
    static boolean answersFor(KeyRules rules) {
        return !rules.allowedModels().isEmpty();
    }

    /** The models list for {@code rules}, ordered by id. */
    static String list(KeyRules rules, Catalogue catalogue) {
        Map<String, String> models = new LinkedHashMap<>();
        for (ModelEntry e : catalogue.entries()) {
            if (KeyRulesHandler.refusal(rules, e.name(), io.relaygate.core.ClientKind.CLAUDE_CODE) == null
                    && KeyRulesHandler.matchesAny(rules.allowedModels(), e.name())) {
                models.put(e.name(), displayName(e));
            }
        }
        for (String allowed : rules.allowedModels()) {
            String id = allowed.toLowerCase(Locale.ROOT);
            if (!id.contains("*") && !models.containsKey(id) && !KeyRulesHandler.matchesAny(rules.deniedModels(), id)) {
                models.put(id, id);
            }
        }
        List<String> ids = new ArrayList<>(models.keySet());
        ids.sort(null);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode data = body.putArray("data");
        String created = catalogue.asOf() + "T00:00:00Z";
        for (String id : ids) {
            data.addObject()
                    .put("type", "model")
                    .put("id", id)
                    .put("display_name", models.get(id))
                    .put("created_at", created);
        }
        body.put("has_more", false);
        body.put("first_id", ids.isEmpty() ? null : ids.get(0));
        body.put("last_id", ids.isEmpty() ? null : ids.get(ids.size() - 1));
        return body.toString();
    }

    static String displayName(ModelEntry e) {
        StringBuilder version = new StringBuilder();
        for (String part : e.name().split("-")) {
            boolean skip = part.equalsIgnoreCase(e.family()) || part.equalsIgnoreCase(e.tier());
            if (skip || !part.chars().allMatch(Character::isDigit) || part.length() >= 8) {
                continue;
            }
            version.append(version.length() == 0 ? "" : ".").append(part);
        }
        StringBuilder name = new StringBuilder(capitalize(e.family()));
        if (!e.tier().isEmpty()) {
            name.append(' ').append(capitalize(e.tier()));
        }
        if (version.length() > 0) {
            name.append(' ').append(version);
        }
        return name.toString();
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
