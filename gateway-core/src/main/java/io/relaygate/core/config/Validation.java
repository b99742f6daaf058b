package io.relaygate.core.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Checks used by the config records; every message names the setting, the value and the expectation. */
final class Validation {

    private Validation() {}

    static void notBlank(String setting, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(setting + ": " + (value == null ? "missing" : "blank") + " (expected: a value)");
        }
    }

    static void range(String setting, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException(setting + ": " + value + " (expected: " + min + ".." + max + ")");
        }
    }

    static void positive(String setting, long value) {
        if (value <= 0) {
            throw new ConfigException(setting + ": " + value + " (expected: > 0)");
        }
    }

    static void positive(String setting, @Nullable Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new ConfigException(setting + ": " + value + " (expected: a positive duration such as 30s)");
        }
    }
}
