package io.relaygate.core.pricing;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads and validates a price file, JSON or YAML of one shape:
 *
 * <pre>{@code
 * {"as_of": "...", "models": {"claude-sonnet-4-5": {"input": 3.0, "output": 15.0, "cache_write": 3.75, "cache_read": 0.30}}}
 * }</pre>
 *
 * <p>Prices are USD per million tokens; {@code cache_write} and {@code cache_read} default to {@code input} (no cache
 * pricing). Names are lower-cased. Every failure is a {@link ConfigException} naming the file and the key.
 */
final class PriceFileReader {

    static final String SHIPPED_RESOURCE = "pricing.json";

    private static final Set<String> TOP = Set.of("as_of", "source", "note", "models");
    private static final Set<String> PRICE = Set.of("input", "output", "cache_write", "cache_read");

    // Duplicate keys would silently keep the last price; an operator editing a long file deserves an error instead.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private PriceFileReader() {}

    /** The list shipped in the jar; a failure here is a packaging bug, reported the same way. */
    static Map<String, ModelPrice> readShipped() {
        String where = "pricing file classpath:io/relaygate/core/pricing/" + SHIPPED_RESOURCE;
        try (InputStream in = PriceFileReader.class.getResourceAsStream(SHIPPED_RESOURCE)) {
            if (in == null) {
                throw new ConfigException(where + ": missing from the classpath");
            }
            return models(where, JSON.readTree(in));
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + ": not valid JSON: " + describe(e));
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot be read: " + e.getMessage());
        }
    }

    /** Reads {@code file}, JSON for {@code .json}, YAML for {@code .yaml} or {@code .yml}. */
    static Map<String, ModelPrice> read(Path file) {
        String where = "pricing file " + file;
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        String format;
        if (name.endsWith(".json")) {
            mapper = JSON;
            format = "JSON";
        } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            mapper = YAML;
            format = "YAML";
        } else {
            throw new ConfigException(where + ": unknown format (expected: a .json, .yaml or .yml file)");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(where + ": not found (expected: a readable " + format + " file)");
        }
        try {
            return models(where, mapper.readTree(file.toFile()));
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + ": not valid " + format + ": " + describe(e));
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot be read: " + e.getMessage());
        }
    }

    private static Map<String, ModelPrice> models(String where, @Nullable JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new ConfigException(
                    where + ": " + (root == null || root.isMissingNode() ? "empty" : root.getNodeType())
                            + " (expected: a mapping with a models key)");
        }
        checkKeys(where, "", root, TOP);
        JsonNode models = root.get("models");
        if (models == null || !models.isObject()) {
            throw new ConfigException(where + ": models: " + (models == null ? "missing" : models.getNodeType())
                    + " (expected: a mapping of model name to prices)");
        }
        Map<String, ModelPrice> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : models.properties()) {
            String key = e.getKey();
            String path = "models." + key;
            String model = key.trim().toLowerCase(Locale.ROOT);
            if (model.isEmpty()) {
                throw new ConfigException(where + ": " + path + ": blank model name");
            }
            if (out.containsKey(model)) {
                throw new ConfigException(
                        where + ": " + path + ": duplicate of " + model + " (model names are case-insensitive)");
            }
            out.put(model, price(where, path, e.getValue()));
        }
        return out;
    }

    private static ModelPrice price(String where, String path, JsonNode node) {
        if (!node.isObject()) {
            throw new ConfigException(where + ": " + path + ": " + node
                    + " (expected: a mapping with input, output and optional" + " cache_write, cache_read)");
        }
        checkKeys(where, path + ".", node, PRICE);
        double input = number(where, path, node, "input", null);
        double output = number(where, path, node, "output", null);
        double cacheWrite = number(where, path, node, "cache_write", input);
        double cacheRead = number(where, path, node, "cache_read", input);
        return new ModelPrice(input, output, cacheWrite, cacheRead);
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
    private static String describe(JsonProcessingException e) {
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
