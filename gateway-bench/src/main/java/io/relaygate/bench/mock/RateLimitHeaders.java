package io.relaygate.bench.mock;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * The rate-limit headers of the mock's answers, in Anthropic's and OpenAI's spelling. Every value can be set per mock
 * ({@link MockOptions#rateLimits()}) and per request ({@code x-mock-<name without its vendor prefix>}, e.g.
 * {@code x-mock-ratelimit-requests-remaining}); the request wins.
 */
final class RateLimitHeaders {

    /** Seconds a rate-limited client is told to wait. */
    static final int RETRY_AFTER_SECONDS = 2;

    static final long REQUEST_LIMIT = 10_000;
    static final long TOKEN_LIMIT = 30_000_000;
    static final long OUTPUT_TOKEN_LIMIT = 8_000_000;

    /** A subscription's default utilization of its 5-hour and 7-day windows. */
    static final String UNIFIED_5H_UTILIZATION = "0.02";

    static final String UNIFIED_7D_UTILIZATION = "0.01";

    /** The Anthropic API's limits (https://docs.anthropic.com/en/api/rate-limits, "Response headers"). */
    private static final String[] ANTHROPIC_LIMITS = {"requests", "tokens", "input-tokens", "output-tokens"};

    /** OpenAI's six headers; each can be set per request with {@code x-mock-ratelimit-<rest of the name>}. */
    private static final String[] OPENAI = {
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens",
        "x-ratelimit-remaining-tokens",
        "x-ratelimit-reset-tokens",
    };

    private RateLimitHeaders() {}

    /** Anthropic's answer to a rate-limited request (and OpenAI's request headers, as the mock always sent). */
    static void anthropicLimited(HttpHeaders h) {
        String reset = Instant.now()
                .plusSeconds(RETRY_AFTER_SECONDS)
                .truncatedTo(ChronoUnit.SECONDS)
                .toString();
        h.set(HttpHeaderNames.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS))
                .set("anthropic-ratelimit-requests-limit", "50")
                .set("anthropic-ratelimit-requests-remaining", "0")
                .set("anthropic-ratelimit-requests-reset", reset)
                .set("anthropic-ratelimit-tokens-reset", reset)
                .set("anthropic-ratelimit-input-tokens-reset", reset)
                .set("anthropic-ratelimit-output-tokens-reset", reset)
                .set("x-ratelimit-limit-requests", "50")
                .set("x-ratelimit-remaining-requests", "0")
                .set("x-ratelimit-reset-requests", RETRY_AFTER_SECONDS + "s");
    }

    /**
     * Anthropic's headers on a successful answer: the request and token limits this request counted against, and, for
     * a subscription ({@code unified}), the 5-hour and 7-day windows' utilization (a fraction), status and reset
     * (epoch seconds) with the representative window and overall status.
     */
    static void anthropic(
            HttpHeaders out, HttpHeaders request, Map<String, String> instance, long tokens, boolean unified) {
        Instant now = Instant.now();
        String reset = now.plusSeconds(1).truncatedTo(ChronoUnit.SECONDS).toString();
        long[] limits = {REQUEST_LIMIT, TOKEN_LIMIT, TOKEN_LIMIT, OUTPUT_TOKEN_LIMIT};
        long[] remaining = {
            REQUEST_LIMIT - 1, Math.max(0, TOKEN_LIMIT - tokens), Math.max(0, TOKEN_LIMIT - tokens), OUTPUT_TOKEN_LIMIT
        };
        for (int i = 0; i < ANTHROPIC_LIMITS.length; i++) {
            String base = "anthropic-ratelimit-" + ANTHROPIC_LIMITS[i];
            out.set(base + "-limit", String.valueOf(limits[i]))
                    .set(base + "-remaining", String.valueOf(remaining[i]))
                    .set(base + "-reset", reset);
        }
        boolean subscription = unified
                || "1".equals(request.get("x-mock-unified"))
                || instance.keySet().stream().anyMatch(k -> k.startsWith("ratelimit-unified-"));
        if (subscription) {
            long fiveHours = now.plus(Duration.ofHours(5)).getEpochSecond();
            long week = now.plus(Duration.ofDays(7)).getEpochSecond();
            out.set("anthropic-ratelimit-unified-status", "allowed")
                    .set("anthropic-ratelimit-unified-5h-status", "allowed")
                    .set("anthropic-ratelimit-unified-5h-utilization", UNIFIED_5H_UTILIZATION)
                    .set("anthropic-ratelimit-unified-5h-reset", String.valueOf(fiveHours))
                    .set("anthropic-ratelimit-unified-7d-status", "allowed")
                    .set("anthropic-ratelimit-unified-7d-utilization", UNIFIED_7D_UTILIZATION)
                    .set("anthropic-ratelimit-unified-7d-reset", String.valueOf(week))
                    .set("anthropic-ratelimit-unified-representative-claim", "five_hour")
                    .set("anthropic-ratelimit-unified-reset", String.valueOf(fiveHours))
                    .set("anthropic-ratelimit-unified-fallback-percentage", "0.5");
        }
        override(out, request, instance, "anthropic-");
    }

    /**
     * OpenAI's headers (https://platform.openai.com/docs/guides/rate-limits, "Rate limits in headers"): this request
     * counted against plausible limits, or, when {@code limited}, no requests left (the 429 names the request limit)
     * plus {@code retry-after}. Request headers {@code x-mock-ratelimit-remaining-requests} etc. override single
     * values.
     */
    static void openAi(
            HttpHeaders out, HttpHeaders request, Map<String, String> instance, long tokens, boolean limited) {
        out.set(OPENAI[0], String.valueOf(REQUEST_LIMIT))
                .set(OPENAI[1], String.valueOf(limited ? 0 : REQUEST_LIMIT - 1))
                .set(OPENAI[2], limited ? RETRY_AFTER_SECONDS + "s" : "6ms")
                .set(OPENAI[3], String.valueOf(TOKEN_LIMIT))
                .set(OPENAI[4], String.valueOf(Math.max(0, TOKEN_LIMIT - tokens)))
                .set(OPENAI[5], "0s");
        if (limited) {
            out.set(HttpHeaderNames.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
        }
        override(out, request, instance, "x-");
    }

    /**
     * Sets the mock's values ({@link MockOptions#rateLimits()}) and then the request's ({@code x-mock-<rest>}) for the
     * rate-limit headers of one vendor ({@code anthropic-} or {@code x-}): {@code vendor + rest}.
     */
    private static void override(HttpHeaders out, HttpHeaders request, Map<String, String> instance, String vendor) {
        boolean openAi = vendor.equals("x-");
        instance.forEach((rest, value) -> {
            if (openAiName(rest) == openAi) {
                out.set(vendor + rest, value);
            }
        });
        for (Map.Entry<String, String> h : request) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-mock-ratelimit-")) {
                String rest = name.substring("x-mock-".length());
                if (openAiName(rest) == openAi) {
                    out.set(vendor + rest, h.getValue());
                }
            }
        }
    }

    /** OpenAI puts the field before the limit ({@code ratelimit-remaining-requests}), Anthropic after it. */
    private static boolean openAiName(String rest) {
        return rest.startsWith("ratelimit-limit-")
                || rest.startsWith("ratelimit-remaining-")
                || rest.startsWith("ratelimit-reset-");
    }
}
