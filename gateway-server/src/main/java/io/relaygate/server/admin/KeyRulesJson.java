package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.core.ClientKind;
import io.relaygate.core.Durations;
import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A key's rules as the admin API reads them: the same field names {@link Views#key} writes, so a key's {@code rules}
 * object can be edited and sent back. Every rule {@code relaygate keys create} has is here.
 */
final class KeyRulesJson {

    private KeyRulesJson() {}

    /** The rules in {@code n} (missing or null fields: no such rule); a bad value names the field and expectation. */
    static KeyRules parse(JsonNode n, Instant now) {
        Long requests = whole(n, "requests");
        Long tokens = whole(n, "tokens");
        Duration requestWindow = duration(n, "requestWindow");
        Duration tokenWindow = duration(n, "tokenWindow");
        Long concurrency = whole(n, "concurrency");
        Set<ClientKind> clients = new LinkedHashSet<>();
        for (String c : strings(n, "clients")) {
            try {
                clients.add(ClientKind.fromWireName(c));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("clients: " + c + " (expected: claude-code, codex or other)");
            }
        }
        Instant expires = null;
        String e = text(n, "expiresAt");
        if (e != null) {
            expires = expiry(e);
            if (!expires.isAfter(now)) {
                throw new IllegalArgumentException("expiresAt: " + e + " (expected: a future date)");
            }
        }
        return new KeyRules(
                concurrency == null ? null : Math.toIntExact(concurrency),
                requests,
                requestWindow,
                tokens,
                tokenWindow,
                cost(n, "dailyCostUsd"),
                cost(n, "weeklyCostUsd"),
                cost(n, "totalCostUsd"),
                strings(n, "models"),
                strings(n, "denyModels"),
                clients,
                expires,
                text(n, "account"),
                text(n, "group"));
    }

    private static @Nullable String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + ": " + shown(v) + " (expected: a string)");
        }
        return v.asText().trim();
    }

    private static @Nullable Long whole(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return null;
        }
        try {
            long value = v.isNumber() && v.canConvertToExactIntegral()
                    ? v.asLong()
                    : Long.parseLong(v.asText().trim());
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": " + shown(v) + " (expected: a whole number > 0)");
        }
    }

    private static @Nullable Double cost(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return null;
        }
        try {
            double d =
                    v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText().trim());
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": " + shown(v) + " (expected: a positive amount in USD)");
        }
    }

    private static @Nullable Duration duration(JsonNode n, String field) {
        String t = text(n, field);
        if (t == null) {
            return null;
        }
        try {
            return Durations.parse(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + t + " (expected: a duration such as 1m or 1h)");
        }
    }

    /** A value as the caller wrote it: {@code -3}, not {@code "-3"}. */
    private static String shown(JsonNode v) {
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static List<String> strings(JsonNode n, String field) {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            for (String s : v.asText().split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(field + ": " + shown(v) + " (expected: a list of names)");
        }
        v.forEach(s -> {
            if (!s.asText().isBlank()) {
                out.add(s.asText().trim());
            }
        });
        return out;
    }

    private static Instant expiry(String text) {
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(
                        "expiresAt: " + text + " (expected: a date like 2026-12-31 or an ISO instant)");
            }
        }
    }
}
