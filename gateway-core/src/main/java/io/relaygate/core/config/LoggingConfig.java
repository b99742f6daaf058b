package io.relaygate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Set;

/**
 * What the gateway writes to its request logs beyond the defaults.
 *
 * @param shapesOfAllKeys every request gets a shape line on {@code io.relaygate.shapes} (sizes and counts, never
 *     contents)
 * @param shapesOfKeys the gateway keys (by name, lower case) whose requests get a shape line; empty when
 *     {@code shapesOfAllKeys}
 * @param accessLogFormat how {@code access.log} writes one finished exchange
 */
public record LoggingConfig(boolean shapesOfAllKeys, Set<String> shapesOfKeys, AccessLogFormat accessLogFormat) {

    /** The line format of {@code access.log}. */
    public enum AccessLogFormat {
        /** {@code key=value} pairs. */
        TEXT,
        /** One JSON object per line. */
        JSON;

        /** {@code text} or {@code json}, as the setting spells it. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The value of the shapes setting that covers every key. */
    public static final String ALL_KEYS = "all";

    public static final AccessLogFormat DEFAULT_ACCESS_LOG_FORMAT = AccessLogFormat.TEXT;

    public static LoggingConfig defaults() {
        return new LoggingConfig(false, Set.of(), DEFAULT_ACCESS_LOG_FORMAT);
    }

    public LoggingConfig {
        requireNonNull(accessLogFormat, "accessLogFormat");
        shapesOfKeys = Set.copyOf(shapesOfKeys);
        if (shapesOfAllKeys && !shapesOfKeys.isEmpty()) {
            throw new ConfigException("logging.shapes: " + ALL_KEYS + " and " + shapesOfKeys.size()
                    + " key names (expected: all, or key names)");
        }
        for (String k : shapesOfKeys) {
            if (k.isBlank() || !k.equals(k.toLowerCase(Locale.ROOT))) {
                throw new ConfigException("logging.shapes: '" + k + "' (expected: a key name in lower case)");
            }
        }
    }

    public LoggingConfig withAccessLogFormat(AccessLogFormat value) {
        return new LoggingConfig(shapesOfAllKeys, shapesOfKeys, value);
    }
}
