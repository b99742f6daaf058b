package io.relaygate.core.signatures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.relaygate.core.catalogue.CatalogueReader;
import io.relaygate.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates client signatures, JSON or YAML of the shape of the shipped {@code signatures.json}:
 *
 * <pre>{@code
 * {"as_of": "2026-11-22", "claude_code": {"user_agent_prefixes": ["claude-cli/"],
 *   "prompts": {"interactive": "You are Claude Code, ..."}, "subscription_headers": {"user-agent": "..."},
 *   "subscription_beta": "claude-code-20250219"},
 *  "codex": {"user_agent_prefixes": ["codex_", "codex-"], "originator_prefixes": ["codex"], "prompts": {...},
 *   "subscription_headers": {"originator": "codex_cli_rs"}}}
 * }</pre>
 *
 * Every failure is a {@link ConfigException} naming where and the key.
 */
public final class SignaturesReader {

    private static final Set<String> TOP = Set.of("as_of", "source", "note", "claude_code", "codex");
    private static final Set<String> CLIENT = Set.of(
            "user_agent_prefixes", "originator_prefixes", "prompts", "subscription_headers", "subscription_beta");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private SignaturesReader() {}

    static ClientSignatures readShipped() {
        String where = "signatures classpath:io/relaygate/core/signatures/signatures.json";
        try (InputStream in = SignaturesReader.class.getResourceAsStream("signatures.json")) {
            if (in == null) {
                throw new ConfigException(where + ": missing from the classpath");
            }
            return parse(where, new String(in.readAllBytes(), StandardCharsets.UTF_8), "shipped");
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot be read: " + e.getMessage());
        }
    }

    /** Reads {@code text} (JSON, or YAML when it does not start with <code>{</code>) and validates it. */
    public static ClientSignatures parse(String where, String text, String origin) {
        JsonNode root = CatalogueReader.tree(where, text);
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!TOP.contains(e.getKey())) {
                throw new ConfigException(where + ": " + e.getKey() + ": unknown key (expected one of: "
                        + String.join(", ", TOP.stream().sorted().toList()) + ")");
            }
        }
        JsonNode asOf = root.get("as_of");
        if (asOf == null || !asOf.isTextual() || asOf.asText().isBlank()) {
            throw new ConfigException(where + ": as_of: " + (asOf == null ? "missing" : asOf)
                    + " (expected: the date the signatures were captured)");
        }
        return new ClientSignatures(
                asOf.asText(),
                origin,
                signature(where, "claude_code", root.get("claude_code")),
                signature(where, "codex", root.get("codex")));
    }

    /** Validates {@code text} and returns it as compact JSON, the form the store keeps. */
    public static String canonical(String where, String text) {
        JsonNode root = CatalogueReader.tree(where, text);
        parse(where, text, "check");
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot be written as JSON: " + e.getMessage());
        }
    }

    private static Signature signature(String where, String path, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new ConfigException(where + ": " + path + ": " + (node == null ? "missing" : node.getNodeType())
                    + " (expected: a mapping with user_agent_prefixes and prompts)");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!CLIENT.contains(e.getKey())) {
                throw new ConfigException(where + ": " + path + "." + e.getKey() + ": unknown key (expected one of: "
                        + String.join(", ", CLIENT.stream().sorted().toList()) + ")");
            }
        }
        JsonNode beta = node.get("subscription_beta");
        try {
            return new Signature(
                    list(where, path + ".user_agent_prefixes", node.get("user_agent_prefixes")),
                    list(where, path + ".originator_prefixes", node.get("originator_prefixes")),
                    map(where, path + ".prompts", node.get("prompts"), false),
                    map(where, path + ".subscription_headers", node.get("subscription_headers"), true),
                    beta == null || beta.isNull() ? "" : beta.asText());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + path + "." + e.getMessage());
        }
    }

    private static List<String> list(String where, String path, JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new ConfigException(where + ": " + path + ": " + node.getNodeType() + " (expected: a list of text)");
        }
        for (JsonNode v : node) {
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new ConfigException(where + ": " + path + ": " + v + " (expected: non-blank text)");
            }
            out.add(v.asText().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static Map<String, String> map(String where, String path, JsonNode node, boolean lowerKeys) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new ConfigException(
                    where + ": " + path + ": " + node.getNodeType() + " (expected: a mapping of name to text)");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ConfigException(
                        where + ": " + path + "." + e.getKey() + ": " + e.getValue() + " (expected: text)");
            }
            out.put(
                    lowerKeys ? e.getKey().toLowerCase(Locale.ROOT) : e.getKey(),
                    e.getValue().asText());
        }
        return out;
    }
}
