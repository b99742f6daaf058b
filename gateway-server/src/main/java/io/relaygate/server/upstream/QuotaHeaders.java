package io.relaygate.server.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.AccountQuota.Use;
import io.relaygate.accounts.state.AccountQuota.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An upstream's rate-limit headers as an {@link AccountQuota}: for each window it reports, the used fraction and the
 * reset. Read on every upstream answer head, success or error, by the relay; the scheduler prefers accounts with more
 * headroom.
 *
 * <ul>
 *   <li>Anthropic API (https://docs.anthropic.com/en/api/rate-limits, "Response headers"):
 *       {@code anthropic-ratelimit-<requests|tokens|input-tokens|output-tokens>-<limit|remaining|reset>}, used =
 *       1 - remaining / limit, reset an RFC 3339 instant.
 *   <li>Claude subscriptions (OAuth): {@code anthropic-ratelimit-unified-<5h|7d>-utilization} (a fraction 0..1),
 *       {@code -reset} (epoch seconds) and {@code -status} ({@code allowed}, {@code allowed_warning},
 *       {@code rejected}: a rejected window counts as spent); {@code anthropic-ratelimit-unified-status: rejected}
 *       spends the window {@code anthropic-ratelimit-unified-representative-claim} names ({@code five_hour},
 *       {@code seven_day}) until {@code anthropic-ratelimit-unified-reset}. Other unified windows (per-model weekly
 *       ones) and {@code -fallback-percentage} are not read.
 *   <li>OpenAI (https://platform.openai.com/docs/guides/rate-limits, "Rate limits in headers"):
 *       {@code x-ratelimit-<limit|remaining>-<requests|tokens>} and {@code x-ratelimit-reset-<…>}, a duration such as
 *       {@code 6m0s} from now.
 *   <li>ChatGPT Codex backend: {@code x-codex-<primary|secondary>-used-percent} (0..100) with
 *       {@code -reset-at} (epoch seconds) or else {@code -reset-after-seconds}.
 * </ul>
 *
 * A window reported twice (Anthropic and OpenAI spellings on one answer) keeps the more used reading. Unreadable
 * values are skipped one by one; resets are capped at {@link RateLimitReset#MAX_AHEAD}.
 */
public final class QuotaHeaders {

    private static final String[] ANTHROPIC_LIMITS = {"requests", "tokens", "input-tokens", "output-tokens"};
    private static final Window[] ANTHROPIC_WINDOWS = {
        Window.REQUESTS, Window.TOKENS, Window.INPUT_TOKENS, Window.OUTPUT_TOKENS
    };
    private static final String UNIFIED = "anthropic-ratelimit-unified-";
    /** Epoch seconds before this are not a reset time (a relative number of seconds, or garbage). */
    private static final long MIN_EPOCH_SECONDS = 1_000_000_000L;

    private QuotaHeaders() {}

    /** The quota the headers report, observed at {@code now}; null when they report none. */
    public static @Nullable AccountQuota parse(HttpHeaders h, Instant now) {
        Map<Window, Use> windows = new EnumMap<>(Window.class);
        for (int i = 0; i < ANTHROPIC_LIMITS.length; i++) {
            String base = "anthropic-ratelimit-" + ANTHROPIC_LIMITS[i];
            Double used = usedOf(h.get(base + "-limit"), h.get(base + "-remaining"));
            if (used != null) {
                put(windows, ANTHROPIC_WINDOWS[i], used, RateLimitReset.rfc3339(h.get(base + "-reset")), now);
            }
        }
        unified(h, windows, "5h", Window.UNIFIED_5H, now);
        unified(h, windows, "7d", Window.UNIFIED_7D, now);
        if ("rejected".equals(trim(h.get(UNIFIED + "status")))) {
            Window claimed = claimed(trim(h.get(UNIFIED + "representative-claim")));
            if (claimed != null) {
                put(windows, claimed, 1, epochSeconds(h.get(UNIFIED + "reset")), now);
            }
        }
        openAi(h, windows, "requests", Window.REQUESTS, now);
        openAi(h, windows, "tokens", Window.TOKENS, now);
        codex(h, windows, "primary", Window.CODEX_PRIMARY, now);
        codex(h, windows, "secondary", Window.CODEX_SECONDARY, now);
        return windows.isEmpty() ? null : new AccountQuota(windows, now);
    }

    private static void unified(HttpHeaders h, Map<Window, Use> windows, String name, Window w, Instant now) {
        String base = UNIFIED + name + "-";
        Double used = number(h.get(base + "utilization"));
        boolean rejected = "rejected".equals(trim(h.get(base + "status")));
        if (used == null && !rejected) {
            return;
        }
        put(windows, w, rejected || used == null ? 1 : used, epochSeconds(h.get(base + "reset")), now);
    }

    private static @Nullable Window claimed(@Nullable String claim) {
        if ("five_hour".equals(claim)) {
            return Window.UNIFIED_5H;
        }
        return "seven_day".equals(claim) ? Window.UNIFIED_7D : null;
    }

    private static void openAi(HttpHeaders h, Map<Window, Use> windows, String name, Window w, Instant now) {
        Double used = usedOf(h.get("x-ratelimit-limit-" + name), h.get("x-ratelimit-remaining-" + name));
        if (used != null) {
            Duration d = RateLimitReset.goDuration(h.get("x-ratelimit-reset-" + name));
            put(windows, w, used, d == null ? null : now.plus(d), now);
        }
    }

    private static void codex(HttpHeaders h, Map<Window, Use> windows, String name, Window w, Instant now) {
        String base = "x-codex-" + name + "-";
        Double percent = number(h.get(base + "used-percent"));
        if (percent == null) {
            return;
        }
        Instant reset = epochSeconds(h.get(base + "reset-at"));
        if (reset == null) {
            reset = RateLimitReset.rfc3339(h.get(base + "reset-at"));
        }
        if (reset == null) {
            Double after = number(h.get(base + "reset-after-seconds"));
            reset = after == null || after < 0 ? null : now.plusMillis((long) Math.ceil(after * 1000));
        }
        put(windows, w, percent / 100, reset, now);
    }

    private static void put(Map<Window, Use> windows, Window w, double used, @Nullable Instant reset, Instant now) {
        Instant max = now.plus(RateLimitReset.MAX_AHEAD);
        Use use = Use.of(used, reset != null && reset.isAfter(max) ? max : reset);
        windows.merge(w, use, (a, b) -> b.used() > a.used() ? b : a);
    }

    /** 1 - remaining / limit, or null when either is missing or unreadable, or the limit is not positive. */
    private static @Nullable Double usedOf(@Nullable String limit, @Nullable String remaining) {
        Double l = number(limit);
        Double r = number(remaining);
        if (l == null || r == null || l <= 0) {
            return null;
        }
        return 1 - r / l;
    }

    private static @Nullable Instant epochSeconds(@Nullable String v) {
        Double s = number(v);
        if (s == null || s < MIN_EPOCH_SECONDS) {
            return null;
        }
        return Instant.ofEpochMilli((long) (s * 1000));
    }

    private static @Nullable Double number(@Nullable String v) {
        String t = trim(v);
        if (t == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(t);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static @Nullable String trim(@Nullable String v) {
        if (v == null) {
            return null;
        }
        String t = v.trim();
        return t.isEmpty() ? null : t;
    }
}
