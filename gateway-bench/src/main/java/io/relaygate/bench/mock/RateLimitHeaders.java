package io.relaygate.bench.mock;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The rate-limit headers of the mock's answers, in Anthropic's and OpenAI's spelling. */
final class RateLimitHeaders {

    /** Seconds a rate-limited client is told to wait. */
    static final int RETRY_AFTER_SECONDS = 2;

    static final long REQUEST_LIMIT = 10_000;
    static final long TOKEN_LIMIT = 30_000_000;

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
     * OpenAI's headers (https://platform.openai.com/docs/guides/rate-limits, "Rate limits in headers"): this request
     * counted against plausible limits, or, when {@code limited}, no requests left (the 429 names the request limit)
     * plus {@code retry-after}. Request headers {@code x-mock-ratelimit-remaining-requests} etc. override single
     * values.
     */
    static void openAi(HttpHeaders out, HttpHeaders request, long tokens, boolean limited) {
        out.set(OPENAI[0], String.valueOf(REQUEST_LIMIT))
                .set(OPENAI[1], String.valueOf(limited ? 0 : REQUEST_LIMIT - 1))
                .set(OPENAI[2], limited ? RETRY_AFTER_SECONDS + "s" : "6ms")
                .set(OPENAI[3], String.valueOf(TOKEN_LIMIT))
                .set(OPENAI[4], String.valueOf(Math.max(0, TOKEN_LIMIT - tokens)))
                .set(OPENAI[5], "0s");
        if (limited) {
            out.set(HttpHeaderNames.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
        }
        for (String name : OPENAI) {
            String override = request.get("x-mock-" + name.substring(2));
            if (override != null) {
                out.set(name, override);
            }
        }
    }
}
