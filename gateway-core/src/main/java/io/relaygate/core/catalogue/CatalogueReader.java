package io.relaygate.core.catalogue;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.relaygate.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads and validates a catalogue, JSON or YAML of one shape (the shipped {@code catalogue.json} is the example):
 *
 * <pre>{@code
 * {"as_of": "2026-12-06", "sources": {...}, "tier_sizes": {"haiku": "small", "sonnet": "middle", "opus": "big"},
 *  "fallback": null,
 *  "models": {"claude-opus-5-5": {"vendor": "anthropic", "family": "claude", "tier": "opus",
 *      "input": 4.0, "output": 20.0, "cache_write_5m": 5.0, "cache_write_1h": 8.0, "cache_read": 0.2,
 *      "context_window": 1000000, "max_output": 128000,
 *      "long_context": {"above_input_tokens": 200000, "input": 8.0, ...}}}}
 * }</pre>
 *
 * <p>Prices are USD per million tokens; cache prices default to {@code input} (no cache pricing), {@code
 * cache_write_1h} to {@code cache_write_5m}; {@code vendor} defaults to the family, the family to the name's first
 * part. The price files of earlier versions ({@code as_of}, {@code source}, {@code models} with {@code input}, {@code
 * output}, {@code cache_write}, {@code cache_read}) read as catalogues. A model may carry its ids on the cloud platforms
 * ({@code "bedrock": "anthropic.claude-sonnet-4-5-20250929-v1:0"}, {@code "vertex": "claude-sonnet-4-5@20250929"}),
 * and {@code cloud_betas} lists the {@code anthropic-beta} flags those platforms accept. Names are lower-cased. Every failure is a {@link ConfigException} naming
 * where and the key.
 */
public final class CatalogueReader {

    static final String SHIPPED_RESOURCE = "catalogue.json";

    private static final Set<String> TOP = Set.of(
            "as_of", "generated_by", "sources", "source", "note", "tier_sizes", "fallback", "cloud_betas", "models");
    private static final Set<String> PRICE =
            Set.of("input", "output", "cache_write_5m", "cache_write_1h", "cache_read");
    private static final Set<String> MODEL = Set.of(
            "vendor",
            "family",
            "tier",
            "input",
            "output",
            "cache_write",
            "cache_write_5m",
            "cache_write_1h",
            "cache_read",
            "context_window",
            "max_output",
            "long_context",
            ModelEntry.BEDROCK,
            ModelEntry.VERTEX);
    private static final Set<String> LONG_CONTEXT =
            Set.of("above_input_tokens", "input", "output", "cache_write_5m", "cache_write_1h", "cache_read");
    private static final Set<String> SIZES = Set.of("small", "middle", "big");

    // Duplicate keys would silently keep the last price; an operator editing a long file deserves an error instead.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private CatalogueReader() {}

    /** The catalogue shipped in the jar; a failure here is a packaging bug, reported the same way. */
    static Catalogue readShipped() {
        String where = "catalogue classpath:io/relaygate/core/catalogue/" + SHIPPED_RESOURCE;
        try (InputStream in = CatalogueReader.class.getResourceAsStream(SHIPPED_RESOURCE)) {
            if (in == null) {
                throw new ConfigException(where + ": missing from the classpath");
            }
            return parse(where, new String(in.readAllBytes(), StandardCharsets.UTF_8), "shipped");
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot be read: " + e.getMessage());
        }
    }

    /**
     * Reads {@code text} (JSON, or YAML when it does not start with <code>{</code>) and validates it.
     *
     * @param where names the source in error messages
     * @param origin where the snapshot came from, for {@link Catalogue#origin()}
     */
    public static Catalogue parse(String where, String text, String origin) {
        return catalogue(where, tree(where, text), origin);
    }

    /**
     * Validates {@code text} and returns it as compact JSON, the form the store keeps: what {@link #parse} reads back
     * to the same catalogue.
     */
    public static String canonical(String where, String text) {
        JsonNode root = tree(where, text);
        catalogue(where, root, "check");
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + ": cannot be written as JSON: " + describe(e));
        }
    }

    /** The shipped catalogue with {@code file}'s models laid over it ({@link Catalogue#with}): the config's file. */
    public static Catalogue readOverlay(Path file) {
        return Catalogue.shipped().with(parse("catalogue file " + file, readText(file), "file " + file));
    }

    /** Reads {@code file} as text, for {@link #parse} or {@link #canonical}. */
    public static String readText(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": not found (expected: a readable JSON or YAML file)");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage());
        }
    }

    /** {@code text} as a JSON tree: JSON when it starts with <code>{</code>, else YAML. */
    public static JsonNode tree(String where, String text) {
        boolean json = text.stripLeading().startsWith("{");
        try {
            JsonNode root = (json ? JSON : YAML).readTree(text);
            if (root == null || !root.isObject()) {
                throw new ConfigException(
                        where + ": " + (root == null || root.isMissingNode() ? "empty" : root.getNodeType())
                                + " (expected: a mapping with a models key)");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + ": not valid " + (json ? "JSON" : "YAML") + ": " + describe(e));
        }
    }

    private static Catalogue catalogue(String where, JsonNode root, String origin) {
        checkKeys(where, "", root, TOP);
        JsonNode asOf = root.get("as_of");
        if (asOf == null || !asOf.isTextual() || asOf.asText().isBlank()) {
            throw new ConfigException(where + ": as_of: " + (asOf == null ? "missing" : asOf)
                    + " (expected: the date the prices were read, e.g. 2026-12-06)");
        }
        JsonNode models = root.get("models");
        if (models == null || !models.isObject()) {
            throw new ConfigException(where + ": models: " + (models == null ? "missing" : models.getNodeType())
                    + " (expected: a mapping of model name to its entry)");
        }
        List<ModelEntry> entries = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Map.Entry<String, JsonNode> e : models.properties()) {
            String path = "models." + e.getKey();
            String model = e.getKey().trim().toLowerCase(Locale.ROOT);
            if (model.isEmpty()) {
                throw new ConfigException(where + ": " + path + ": blank model name");
            }
            if (!seen.add(model)) {
                throw new ConfigException(
                        where + ": " + path + ": duplicate of " + model + " (model names are case-insensitive)");
            }
            entries.add(entry(where, path, model, e.getValue()));
        }
        if (entries.isEmpty()) {
            throw new ConfigException(where + ": models: empty (expected: at least one model)");
        }
        JsonNode fallback = root.get("fallback");
        ModelPrice fallbackPrice =
                fallback == null || fallback.isNull() ? null : price(where, "fallback", fallback, PRICE);
        return new Catalogue(
                asOf.asText(),
                origin,
                entries,
                tierSizes(where, root.get("tier_sizes")),
                fallbackPrice,
                cloudBetas(where, root.get("cloud_betas")));
    }

    private static Set<String> cloudBetas(String where, @Nullable JsonNode node) {
        Set<String> out = new java.util.LinkedHashSet<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new ConfigException(where + ": cloud_betas: " + node.getNodeType()
                    + " (expected: a list of anthropic-beta flags Bedrock and Vertex AI accept)");
        }
        for (JsonNode b : node) {
            if (!b.isTextual() || b.asText().isBlank()) {
                throw new ConfigException(where + ": cloud_betas: " + b + " (expected: a beta flag name)");
            }
            out.add(b.asText().trim());
        }
        return out;
    }

    private static Map<String, String> tierSizes(String where, @Nullable JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new ConfigException(where + ": tier_sizes: " + node.getNodeType()
                    + " (expected: a mapping of tier to small, middle or big)");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String size = e.getValue().asText("");
            if (!e.getValue().isTextual() || !SIZES.contains(size)) {
                throw new ConfigException(where + ": tier_sizes." + e.getKey() + ": " + e.getValue()
                        + " (expected: small, middle or big)");
            }
            out.put(e.getKey().toLowerCase(Locale.ROOT), size);
        }
        return out;
    }

    private static ModelEntry entry(String where, String path, String model, JsonNode node) {
        if (!node.isObject()) {
            throw new ConfigException(where + ": " + path + ": " + node.getNodeType()
                    + " (expected: a mapping with vendor, family, tier and prices)");
        }
        checkKeys(where, path + ".", node, MODEL);
        int dash = model.indexOf('-');
        String family = text(where, path, node, "family", dash < 0 ? model : model.substring(0, dash));
        String vendor = text(where, path, node, "vendor", family);
        String tier = text(where, path, node, "tier", "");
        ModelPrice price = price(where, path, node, MODEL);
        JsonNode lc = node.get("long_context");
        LongContext longContext = null;
        if (lc != null && !lc.isNull()) {
            if (!lc.isObject()) {
                throw new ConfigException(where + ": " + path + ".long_context: " + lc.getNodeType()
                        + " (expected: a mapping with above_input_tokens and prices)");
            }
            checkKeys(where, path + ".long_context.", lc, LONG_CONTEXT);
            long above = count(where, path + ".long_context", lc, "above_input_tokens", -1);
            if (above <= 0) {
                throw new ConfigException(where + ": " + path + ".long_context.above_input_tokens: "
                        + lc.get("above_input_tokens") + " (expected: a token count > 0)");
            }
            longContext = new LongContext(above, price(where, path + ".long_context", lc, LONG_CONTEXT));
        }
        return new ModelEntry(
                model,
                vendor.toLowerCase(Locale.ROOT),
                family.toLowerCase(Locale.ROOT),
                tier.toLowerCase(Locale.ROOT),
                price,
                longContext,
                count(where, path, node, "context_window", 0),
                count(where, path, node, "max_output", 0),
                platformIds(where, path, node));
    }

    /** The optional {@code bedrock} and {@code vertex} ids of a model. */
    private static Map<String, String> platformIds(String where, String path, JsonNode node) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (String platform : List.of(ModelEntry.BEDROCK, ModelEntry.VERTEX)) {
            JsonNode v = node.get(platform);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isTextual() || v.asText().isBlank() || v.asText().contains("/")) {
                throw new ConfigException(where + ": " + path + "." + platform + ": " + v
                        + " (expected: the model's id on " + platform + ", e.g. "
                        + (platform.equals(ModelEntry.BEDROCK)
                                ? "anthropic.claude-sonnet-4-5-20250929-v1:0"
                                : "claude-sonnet-4-5@20250929")
                        + ")");
            }
            ids.put(platform, v.asText().trim());
        }
        return ids;
    }

    private static ModelPrice price(String where, String path, JsonNode node, Set<String> allowed) {
        if (!node.isObject()) {
            throw new ConfigException(where + ": " + path + ": " + node.getNodeType()
                    + " (expected: a mapping with input, output and optional cache prices)");
        }
        if (allowed == PRICE) {
            checkKeys(where, path + ".", node, PRICE);
        }
        double input = number(where, path, node, "input", null);
        double output = number(where, path, node, "output", null);
        // cache_write: the name before the catalogue, in price files of earlier versions
        double write5m = number(where, path, node, "cache_write_5m", number(where, path, node, "cache_write", input));
        double write1h = number(where, path, node, "cache_write_1h", write5m);
        double read = number(where, path, node, "cache_read", input);
        return new ModelPrice(input, output, write5m, write1h, read);
    }

    private static String text(String where, String path, JsonNode node, String key, @Nullable String fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw new ConfigException(where + ": " + path + "." + key + ": missing (expected: a name)");
            }
            return fallback;
        }
        if (!v.isTextual()) {
            throw new ConfigException(where + ": " + path + "." + key + ": " + v + " (expected: a name)");
        }
        return v.asText().trim();
    }

    private static long count(String where, String path, JsonNode node, String key, long fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
            throw new ConfigException(where + ": " + path + "." + key + ": " + v + " (expected: a token count >= 0)");
        }
        return v.asLong();
    }

    private static double number(String where, String path, JsonNode node, String key, @Nullable Double fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw new ConfigException(
                        where + ": " + path + "." + key + ": missing (expected: USD per million tokens)");
            }
            return fallback;
        }
        if (!v.isNumber()) {
            throw new ConfigException(
                    where + ": " + path + "." + key + ": " + v + " (expected: a number of USD per million tokens)");
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d) || d < 0) {
            throw new ConfigException(where + ": " + path + "." + key + ": " + v + " (expected: a finite number >= 0)");
        }
        return d;
    }

    private static void checkKeys(String where, String prefix, JsonNode node, Set<String> allowed) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!allowed.contains(e.getKey())) {
                throw new ConfigException(where + ": " + prefix + e.getKey() + ": unknown key (expected one of: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    /** Jackson's message without its multi-line source dump, plus where the parser stopped. */
    static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            message = "unreadable";
        }
        int nl = message.indexOf('\n');
        if (nl >= 0) {
            message = message.substring(0, nl);
        }
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 0
                ? message
                : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
