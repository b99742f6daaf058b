package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What an upstream last said about an account's rate limits: for each window it reported, the used fraction and when
 * the window resets. Read from the rate-limit headers of every upstream answer (gateway-server's {@code QuotaHeaders})
 * and shared between instances, so the scheduler can prefer the account with the most headroom before any of them
 * hits a 429.
 *
 * @param windows the windows the upstream reported, by kind
 * @param observedAt when the answer carrying them arrived
 */
public record AccountQuota(Map<Window, Use> windows, Instant observedAt) {

    /**
     * How long a window without a reset time is believed. Every upstream we read sends resets; this only bounds a
     * reading from one that does not.
     */
    public static final Duration NO_RESET_TTL = Duration.ofMinutes(5);

    /** The windows upstreams report, with the short label {@code accounts list} and the JSON codec use. */
    public enum Window {
        /** Anthropic API {@code anthropic-ratelimit-requests-*}, OpenAI {@code x-ratelimit-*-requests}. */
        REQUESTS("req"),
        /** Anthropic API {@code anthropic-ratelimit-tokens-*}, OpenAI {@code x-ratelimit-*-tokens}. */
        TOKENS("tok"),
        /** Anthropic API {@code anthropic-ratelimit-input-tokens-*}. */
        INPUT_TOKENS("in"),
        /** Anthropic API {@code anthropic-ratelimit-output-tokens-*}. */
        OUTPUT_TOKENS("out"),
        /** Claude subscription {@code anthropic-ratelimit-unified-5h-*}. */
        UNIFIED_5H("5h"),
        /** Claude subscription {@code anthropic-ratelimit-unified-7d-*}. */
        UNIFIED_7D("7d"),
        /** ChatGPT Codex backend {@code x-codex-primary-*} (the short window, typically 5 hours). */
        CODEX_PRIMARY("primary"),
        /** ChatGPT Codex backend {@code x-codex-secondary-*} (the long window, typically a week). */
        CODEX_SECONDARY("secondary");

        private final String label;

        Window(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static @Nullable Window fromLabel(String label) {
            for (Window w : values()) {
                if (w.label.equals(label)) {
                    return w;
                }
            }
            return null;
        }
    }

    /**
     * One window's state.
     *
     * @param used the fraction of the window's allowance spent, 0..1
     * @param resetsAt when the window starts again empty; null when the upstream did not say
     */
    public record Use(double used, @Nullable Instant resetsAt) {

        public Use {
            if (!(used >= 0 && used <= 1)) {
                throw new IllegalArgumentException("used: " + used + " (expected: 0..1)");
            }
        }

        /** A fraction clamped into 0..1 (upstreams round, and may report a little over the limit). */
        public static Use of(double used, @Nullable Instant resetsAt) {
            double u = Double.isNaN(used) ? 0 : Math.max(0, Math.min(1, used));
            return new Use(u, resetsAt);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public AccountQuota {
        requireNonNull(observedAt, "observedAt");
        windows = windows.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(windows));
    }

    /**
     * Whether {@code w} still describes the account at {@code now}: before its reset, or, without one, within
     * {@link #NO_RESET_TTL} of the observation. A window past its reset is empty again.
     */
    public boolean live(Use w, Instant now) {
        Instant reset = w.resetsAt();
        return reset == null ? now.isBefore(observedAt.plus(NO_RESET_TTL)) : now.isBefore(reset);
    }

    /** The windows that still describe the account at {@code now}, in {@link Window} order. */
    public Map<Window, Use> liveWindows(Instant now) {
        EnumMap<Window, Use> live = new EnumMap<>(Window.class);
        windows.forEach((k, w) -> {
            if (live(w, now)) {
                live.put(k, w);
            }
        });
        return live;
    }

    /** 1 minus the largest used fraction among the live windows: 1 when none is live (nothing known is spent). */
    public double headroom(Instant now) {
        double max = 0;
        for (Use w : windows.values()) {
            if (live(w, now)) {
                max = Math.max(max, w.used());
            }
        }
        return 1 - max;
    }

    /** The soonest reset among the live windows, or null. */
    public @Nullable Instant soonestReset(Instant now) {
        Instant soonest = null;
        for (Use w : windows.values()) {
            Instant r = w.resetsAt();
            if (r != null && live(w, now) && (soonest == null || r.isBefore(soonest))) {
                soonest = r;
            }
        }
        return soonest;
    }

    /**
     * This reading on top of {@code older}: windows this one reports replace the older ones; windows only the older
     * one has are kept while they are live at {@code observedAt} (an error answer may carry fewer headers than a
     * success). Returns {@code this} when {@code older} is null or not older.
     */
    public AccountQuota over(@Nullable AccountQuota older) {
        if (older == null || older.observedAt.isAfter(observedAt) || older.windows.isEmpty()) {
            return this;
        }
        EnumMap<Window, Use> merged = new EnumMap<>(Window.class);
        older.windows.forEach((k, w) -> {
            if (older.live(w, observedAt)) {
                merged.put(k, w);
            }
        });
        if (merged.isEmpty()) {
            return this;
        }
        merged.putAll(windows);
        return new AccountQuota(merged, observedAt);
    }

    /** The newer of two readings (either may be null). */
    public static @Nullable AccountQuota newest(@Nullable AccountQuota a, @Nullable AccountQuota b) {
        if (a == null) {
            return b;
        }
        return b == null || !b.observedAt.isAfter(a.observedAt) ? a : b;
    }

    // ---- codec: how Redis and the data folder hold a quota ----

    /** {@code {"at":<ms>,"w":{"5h":[0.62,<reset ms or null>],…}}}. */
    public String encode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("at", observedAt.toEpochMilli());
        ObjectNode w = root.putObject("w");
        // the map is an EnumMap underneath: windows come in Window order
        windows.forEach((k, use) -> {
            ArrayNode a = w.putArray(k.label());
            a.add(use.used());
            Instant reset = use.resetsAt();
            if (reset == null) {
                a.addNull();
            } else {
                a.add(reset.toEpochMilli());
            }
        });
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Null for a value this version cannot read (it is then ignored, never fatal); unknown windows are skipped. */
    public static @Nullable AccountQuota decode(String v) {
        try {
            JsonNode root = JSON.readTree(v);
            if (root == null || !root.path("at").canConvertToLong()) {
                return null;
            }
            EnumMap<Window, Use> windows = new EnumMap<>(Window.class);
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("w").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Window k = Window.fromLabel(e.getKey());
                JsonNode a = e.getValue();
                if (k == null || !a.isArray() || !a.path(0).isNumber()) {
                    continue;
                }
                JsonNode reset = a.path(1);
                windows.put(
                        k, Use.of(a.get(0).asDouble(), reset.isNumber() ? Instant.ofEpochMilli(reset.asLong()) : null));
            }
            return new AccountQuota(windows, Instant.ofEpochMilli(root.get("at").asLong()));
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }
}
