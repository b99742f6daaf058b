package io.relaygate.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.relaygate.core.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds the {@link GatewayConfig} from one YAML file (optional) plus environment overrides, and validates it. Every
 * failure is a {@link ConfigException} naming the setting.
 *
 * <p>Environment: {@code RELAYGATE_HOST}, {@code RELAYGATE_PORT}, {@code RELAYGATE_DATA_DIR}, {@code REDIS_URL} (its
 * presence selects the Redis store), {@code RELAYGATE_REDIS_PREFIX}, {@code RELAYGATE_STORE}, {@code RELAYGATE_LOCAL_ADMISSION}, {@code RELAYGATE_UPSTREAM_HTTP2},
 * {@code RELAYGATE_UPSTREAM_H2C}, {@code RELAYGATE_PRICING_FILE},
 * {@code RELAYGATE_ADMIN_TOKEN}, {@code RELAYGATE_STALE_FOR}, {@code RELAYGATE_STORE_BUDGET}, {@code RELAYGATE_USAGE_JOURNAL}, {@code RELAYGATE_LOG_SHAPES}, {@code RELAYGATE_ACCESS_LOG_FORMAT},
 * {@code RELAYGATE_TRUSTED_PROXIES}, {@code RELAYGATE_PROXY_PROTOCOL}, {@code RELAYGATE_DRAIN_TIMEOUT}, {@code RELAYGATE_METRICS},
 * {@code RELAYGATE_METRICS_REQUIRE_TOKEN}, {@code RELAYGATE_METRICS_PER_KEY}, {@code RELAYGATE_METRICS_MAX_KEYS}.
 */
public final class ConfigLoader {

    private static final Set<String> TOP = Set.of("server", "store", "upstream", "scheduling", "logging", "metrics");
    private static final Set<String> SCHEDULING = Set.of(
            "stickyTtl",
            "leaseTtl",
            "rateLimitCoolDown",
            "overloadCoolDown",
            "pricingFile",
            "adminToken",
            "staleFor",
            "usageJournal",
            "storeBudget");
    private static final Set<String> SERVER = Set.of(
            "host",
            "port",
            "ioThreads",
            "maxRequestBodyBytes",
            "maxHeaderBytes",
            "writeBufferLowWaterMark",
            "writeBufferHighWaterMark",
            "idleTimeout",
            "trustedProxies",
            "proxyProtocol",
            "drainTimeout",
            "requestHeadTimeout",
            "requestBodyTimeout",
            "publicUrl");
    private static final Set<String> LOGGING = Set.of("shapes", "accessLogFormat");
    private static final Set<String> METRICS = Set.of("enabled", "requireToken", "perKey", "maxKeys", "maxModels");
    private static final Set<String> STORE = Set.of("type", "dataDir", "redisUrl", "keyPrefix", "localAdmission");
    private static final Set<String> UPSTREAM = Set.of(
            "connectTimeout",
            "responseTimeout",
            "idleTimeout",
            "maxIdleConnectionsPerHost",
            "maxErrorBodyBytes",
            "maxAttempts",
            "streamKeepAlive",
            "http2",
            "h2c");

    private ConfigLoader() {}

    /** Loads {@code file} (may be null: defaults only) and applies {@code env} over it. */
    public static GatewayConfig load(@Nullable Path file, Map<String, String> env) {
        ObjectNode root;
        if (file == null) {
            root = JsonNodeFactory.instance.objectNode();
        } else {
            root = readYaml(file);
        }
        checkKeys("", root, TOP);
        ObjectNode server = section(root, "server", SERVER);
        ObjectNode store = section(root, "store", STORE);
        ObjectNode upstream = section(root, "upstream", UPSTREAM);
        ObjectNode scheduling = section(root, "scheduling", SCHEDULING);
        ObjectNode logging = section(root, "logging", LOGGING);
        ObjectNode metrics = section(root, "metrics", METRICS);

        override(server, "host", env.get("RELAYGATE_HOST"));
        override(server, "port", env.get("RELAYGATE_PORT"));
        override(server, "trustedProxies", env.get("RELAYGATE_TRUSTED_PROXIES"));
        override(server, "proxyProtocol", env.get("RELAYGATE_PROXY_PROTOCOL"));
        override(server, "drainTimeout", env.get("RELAYGATE_DRAIN_TIMEOUT"));
        override(server, "publicUrl", env.get("RELAYGATE_PUBLIC_URL"));
        override(upstream, "http2", env.get("RELAYGATE_UPSTREAM_HTTP2"));
        override(upstream, "h2c", env.get("RELAYGATE_UPSTREAM_H2C"));
        override(store, "dataDir", env.get("RELAYGATE_DATA_DIR"));
        override(store, "redisUrl", env.get("REDIS_URL"));
        override(store, "keyPrefix", env.get("RELAYGATE_REDIS_PREFIX"));
        override(store, "type", env.get("RELAYGATE_STORE"));
        override(store, "localAdmission", env.get("RELAYGATE_LOCAL_ADMISSION"));
        override(scheduling, "pricingFile", env.get("RELAYGATE_PRICING_FILE"));
        override(scheduling, "adminToken", env.get("RELAYGATE_ADMIN_TOKEN"));
        override(scheduling, "staleFor", env.get("RELAYGATE_STALE_FOR"));
        override(scheduling, "storeBudget", env.get("RELAYGATE_STORE_BUDGET"));
        override(scheduling, "usageJournal", env.get("RELAYGATE_USAGE_JOURNAL"));
        override(logging, "shapes", env.get("RELAYGATE_LOG_SHAPES"));
        override(logging, "accessLogFormat", env.get("RELAYGATE_ACCESS_LOG_FORMAT"));
        override(metrics, "enabled", env.get("RELAYGATE_METRICS"));
        override(metrics, "requireToken", env.get("RELAYGATE_METRICS_REQUIRE_TOKEN"));
        override(metrics, "perKey", env.get("RELAYGATE_METRICS_PER_KEY"));
        override(metrics, "maxKeys", env.get("RELAYGATE_METRICS_MAX_KEYS"));

        ServerConfig d = ServerConfig.defaults();
        ServerConfig serverConfig = new ServerConfig(
                text(server, "server.host", "host", d.host()),
                (int) integer(server, "server.port", "port", d.port()),
                (int) integer(server, "server.ioThreads", "ioThreads", d.ioThreads()),
                size(server, "server.maxRequestBodyBytes", "maxRequestBodyBytes", d.maxRequestBodyBytes()),
                (int) size(server, "server.maxHeaderBytes", "maxHeaderBytes", d.maxHeaderBytes()),
                (int) size(
                        server,
                        "server.writeBufferLowWaterMark",
                        "writeBufferLowWaterMark",
                        d.writeBufferLowWaterMark()),
                (int) size(
                        server,
                        "server.writeBufferHighWaterMark",
                        "writeBufferHighWaterMark",
                        d.writeBufferHighWaterMark()),
                duration(server, "server.idleTimeout", "idleTimeout", d.idleTimeout()),
                cidrs(server, "server.trustedProxies", "trustedProxies"),
                bool(server, "server.proxyProtocol", "proxyProtocol", d.proxyProtocol()),
                duration(server, "server.drainTimeout", "drainTimeout", d.drainTimeout()),
                duration(server, "server.requestHeadTimeout", "requestHeadTimeout", d.requestHeadTimeout()),
                duration(server, "server.requestBodyTimeout", "requestBodyTimeout", d.requestBodyTimeout()),
                optionalText(server, "server.publicUrl", "publicUrl"));

        String redisUrl = optionalText(store, "store.redisUrl", "redisUrl");
        String type = text(store, "store.type", "type", redisUrl == null ? StoreConfig.LOCAL : StoreConfig.REDIS);
        StoreConfig storeConfig = new StoreConfig(
                type.toLowerCase(Locale.ROOT),
                Path.of(text(store, "store.dataDir", "dataDir", StoreConfig.DEFAULT_DATA_DIR)),
                redisUrl,
                text(store, "store.keyPrefix", "keyPrefix", StoreConfig.DEFAULT_KEY_PREFIX),
                duration(store, "store.localAdmission", "localAdmission", StoreConfig.DEFAULT_LOCAL_ADMISSION));

        UpstreamConfig u = UpstreamConfig.defaults();
        UpstreamConfig upstreamConfig = new UpstreamConfig(
                duration(upstream, "upstream.connectTimeout", "connectTimeout", u.connectTimeout()),
                duration(upstream, "upstream.responseTimeout", "responseTimeout", u.responseTimeout()),
                duration(upstream, "upstream.idleTimeout", "idleTimeout", u.idleTimeout()),
                (int) integer(
                        upstream,
                        "upstream.maxIdleConnectionsPerHost",
                        "maxIdleConnectionsPerHost",
                        u.maxIdleConnectionsPerHost()),
                (int) size(upstream, "upstream.maxErrorBodyBytes", "maxErrorBodyBytes", u.maxErrorBodyBytes()),
                (int) integer(upstream, "upstream.maxAttempts", "maxAttempts", u.maxAttempts()),
                duration(upstream, "upstream.streamKeepAlive", "streamKeepAlive", u.streamKeepAlive()),
                bool(upstream, "upstream.http2", "http2", u.http2()),
                strings(upstream, "upstream.h2c", "h2c"));
        SchedulingConfig sd = SchedulingConfig.defaults();
        String pricingFile = optionalText(scheduling, "scheduling.pricingFile", "pricingFile");
        SchedulingConfig schedulingConfig = new SchedulingConfig(
                duration(scheduling, "scheduling.stickyTtl", "stickyTtl", sd.stickyTtl()),
                duration(scheduling, "scheduling.leaseTtl", "leaseTtl", sd.leaseTtl()),
                duration(scheduling, "scheduling.rateLimitCoolDown", "rateLimitCoolDown", sd.rateLimitCoolDown()),
                duration(scheduling, "scheduling.overloadCoolDown", "overloadCoolDown", sd.overloadCoolDown()),
                pricingFile == null ? null : Path.of(pricingFile),
                optionalText(scheduling, "scheduling.adminToken", "adminToken"),
                duration(scheduling, "scheduling.staleFor", "staleFor", sd.staleFor()),
                bool(scheduling, "scheduling.usageJournal", "usageJournal", sd.usageJournal()),
                duration(scheduling, "scheduling.storeBudget", "storeBudget", sd.storeBudget()));
        MetricsConfig md = MetricsConfig.defaults();
        MetricsConfig metricsConfig = new MetricsConfig(
                bool(metrics, "metrics.enabled", "enabled", md.enabled()),
                bool(metrics, "metrics.requireToken", "requireToken", md.requireToken()),
                bool(metrics, "metrics.perKey", "perKey", md.perKey()),
                (int) integer(metrics, "metrics.maxKeys", "maxKeys", md.maxKeys()),
                (int) integer(metrics, "metrics.maxModels", "maxModels", md.maxModels()));
        return new GatewayConfig(
                serverConfig, storeConfig, upstreamConfig, schedulingConfig, logging(logging), metricsConfig);
    }

    /**
     * {@code shapes}: {@code all}, or key names separated by commas (case-insensitive; blanks ignored), or nothing;
     * {@code accessLogFormat}: {@code text} or {@code json}.
     */
    private static LoggingConfig logging(ObjectNode logging) {
        String format = text(
                logging,
                "logging.accessLogFormat",
                "accessLogFormat",
                LoggingConfig.DEFAULT_ACCESS_LOG_FORMAT.wireName());
        LoggingConfig.AccessLogFormat accessLogFormat;
        try {
            accessLogFormat =
                    LoggingConfig.AccessLogFormat.valueOf(format.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("logging.accessLogFormat: " + format + " (expected: text or json)");
        }
        String shapes = text(logging, "logging.shapes", "shapes", "").trim();
        if (shapes.equalsIgnoreCase(LoggingConfig.ALL_KEYS)) {
            return new LoggingConfig(true, Set.of(), accessLogFormat);
        }
        Set<String> keys = new LinkedHashSet<>();
        for (String name : shapes.split(",")) {
            String k = name.trim().toLowerCase(Locale.ROOT);
            if (!k.isEmpty()) {
                keys.add(k);
            }
        }
        return new LoggingConfig(false, keys, accessLogFormat);
    }

    private static ObjectNode readYaml(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file: " + file + " (expected: a readable YAML file)");
        }
        try {
            JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException("config file: " + file + " (expected: a YAML mapping at the top)");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new ConfigException("config file: " + file + " is not valid YAML: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(@Nullable String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static ObjectNode section(ObjectNode root, String name, Set<String> allowed) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            ObjectNode created = root.putObject(name);
            return created;
        }
        if (!n.isObject()) {
            throw new ConfigException(name + ": " + n + " (expected: a mapping)");
        }
        checkKeys(name + ".", n, allowed);
        return (ObjectNode) n;
    }

    private static void checkKeys(String prefix, JsonNode node, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new ConfigException(prefix + k + ": unknown setting (expected one of: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static void override(ObjectNode section, String key, @Nullable String value) {
        if (value != null && !value.isBlank()) {
            section.put(key, value.trim());
        }
    }

    private static @Nullable String optionalText(ObjectNode n, String setting, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new ConfigException(setting + ": " + v + " (expected: a string)");
        }
        return v.asText();
    }

    /** A YAML list of ranges, or one string with ranges separated by commas or spaces (as the env var has it). */
    private static List<Cidr> cidrs(ObjectNode n, String setting, String key) {
        JsonNode v = n.get(key);
        List<Cidr> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isArray()) {
            for (JsonNode item : v) {
                if (!item.isValueNode()) {
                    throw new ConfigException(setting + ": " + item + " (expected: an address or CIDR range)");
                }
                out.add(Cidr.parse(item.asText()));
            }
            return out;
        }
        for (String part : text(n, setting, key, "").split("[,\\s]+")) {
            if (!part.isBlank()) {
                out.add(Cidr.parse(part));
            }
        }
        return out;
    }

    /** A YAML list of strings, or one string of items separated by commas or blanks (from the environment). */
    private static List<String> strings(ObjectNode n, String setting, String key) {
        JsonNode v = n.get(key);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isArray()) {
            for (JsonNode item : v) {
                if (!item.isTextual()) {
                    throw new ConfigException(setting + ": " + item + " (expected: a string)");
                }
                out.add(item.asText());
            }
            return out;
        }
        for (String part : text(n, setting, key, "").split("[,\\s]+")) {
            if (!part.isBlank()) {
                out.add(part);
            }
        }
        return out;
    }

    private static boolean bool(ObjectNode n, String setting, String key, boolean fallback) {
        String v = optionalText(n, setting, key);
        if (v == null) {
            return fallback;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
            case "on":
                return true;
            case "false":
            case "no":
            case "off":
                return false;
            default:
                throw new ConfigException(setting + ": " + firstLine(v) + " (expected: true or false)");
        }
    }

    private static String text(ObjectNode n, String setting, String key, String fallback) {
        String v = optionalText(n, setting, key);
        return v == null ? fallback : v;
    }

    private static long integer(ObjectNode n, String setting, String key, long fallback) {
        String v = optionalText(n, setting, key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(setting + ": " + v + " (expected: an integer)");
        }
    }

    private static Duration duration(ObjectNode n, String setting, String key, Duration fallback) {
        String v = optionalText(n, setting, key);
        if (v == null) {
            return fallback;
        }
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(setting + ": " + v + " (expected: a duration such as 500ms, 30s, 5m, 1h)");
        }
    }

    /** Sizes in bytes, or with a unit: {@code 64KiB}, {@code 32MiB}, {@code 1GiB} (KB/MB/GB are read the same). */
    static long size(ObjectNode n, String setting, String key, long fallback) {
        String v = optionalText(n, setting, key);
        if (v == null) {
            return fallback;
        }
        String s = v.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long mult = 1;
        if (s.endsWith("k")) {
            mult = 1024;
        } else if (s.endsWith("m")) {
            mult = 1024 * 1024;
        } else if (s.endsWith("g")) {
            mult = 1024L * 1024 * 1024;
        }
        if (mult != 1) {
            s = s.substring(0, s.length() - 1).trim();
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), mult);
        } catch (RuntimeException e) {
            throw new ConfigException(setting + ": " + v + " (expected: bytes, or a size such as 64KiB or 32MiB)");
        }
    }
}
